package dev.faultline.notify;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.Notification;
import dev.faultline.resilience.FindingService;
import dev.faultline.run.Run;
import dev.faultline.run.RunEvent;

/**
 * Tells the channels an experiment names about the run events they asked for. It observes run
 * events asynchronously and hands every delivery its own virtual thread, so a slow or failing
 * receiver can delay nothing but its own notification.
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);

    private final ChannelService channels;
    private final FindingService findings;
    private final Sender sender;
    private final DeliveryLog log;
    private final Clock clock;
    private final NotifyConfig config;
    private final String baseUrl;
    private final ExecutorService deliveries = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("notify-", 0).factory());

    Notifier(ChannelService channels, FindingService findings, Sender sender, DeliveryLog log, NotifyConfig config, Clock clock,
            @ConfigProperty(name = "faultline.base-url", defaultValue = "http://localhost:8080") String baseUrl) {
        this.channels = channels;
        this.findings = findings;
        this.log = log;
        this.clock = clock;
        this.sender = sender;
        this.config = config;
        this.baseUrl = baseUrl.replaceAll("/+$", "");
    }

    void onRunEvent(@ObservesAsync RunEvent event) {
        if (event.type() == RunEvent.Type.CANCELLED) {
            return;
        }
        String name = event.type().name().toLowerCase(Locale.ROOT);
        Run run = event.run();
        if (run == null || run.document() == null) {
            return;
        }
        List<Notification> wanted = ExperimentCodec.decode(run.document())
                .spec().notifications().stream().filter(n -> n.hears(name)).toList();
        if (wanted.isEmpty()) {
            return;
        }
        Optional<Messages.Breach> breach = Messages.breach(run, event.samples());
        String runUrl = baseUrl + "/runs/" + run.id();
        List<Channel> found = new java.util.ArrayList<>();
        for (Notification notification : wanted) {
            Optional<Channel> channel = channels.find(notification.channel());
            if (channel.isEmpty()) {
                LOG.warnf("Run %s names channel %s, which does not exist", run.id(), notification.channel());
                recordMissing(run.id(), notification.channel(), name);
                continue;
            }
            found.add(channel.get());
        }
        if (found.isEmpty()) {
            return;
        }
        boolean drawn = event.type() != RunEvent.Type.STARTED && run.rules().stream().anyMatch(rule -> rule.appliedAt() != null);
        // the findings read Prometheus and the cluster: off this observer's thread, once for every channel, for a bounded time
        deliveries.execute(() -> {
            Optional<FindingService.Analysis> analysis = drawn ? Optional.of(analyse(run)) : Optional.empty();
            for (Channel channel : found) {
                String body = channel.kind() == Channel.Kind.SLACK ? Messages.slack(name, run, breach, analysis, runUrl)
                        : Messages.webhook(name, run, breach, analysis, runUrl, event.at());
                deliveries.execute(() -> sender.deliver(channel, run.id(), name, body, config.attempts()));
            }
        });
    }

    /** The run's findings, or why there are none, within {@link NotifyConfig#findingsWait()}. */
    private FindingService.Analysis analyse(Run run) {
        java.util.concurrent.Future<FindingService.Analysis> analysis = deliveries.submit(() -> findings.atEnd(run));
        try {
            return analysis.get(config.findingsWait().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            analysis.cancel(true);
            return new FindingService.Analysis(null, null, "not drawn within " + dev.faultline.Durations.format(config.findingsWait())
                    + " (Prometheus or the cluster is slow); the run page draws them when opened");
        } catch (java.util.concurrent.ExecutionException e) {
            return new FindingService.Analysis(null, null, "the findings could not be drawn: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FindingService.Analysis(null, null, "the findings were not drawn: Faultline is stopping");
        }
    }

    private void recordMissing(String runId, String channel, String event) {
        try {
            log.record(runId, new Delivery(channel, event, 1, clock.instant(), null, Delivery.Outcome.FAILED,
                    "channel " + channel + " does not exist; an admin creates it under Settings or /api/v1/channels"));
        } catch (RuntimeException e) {
            LOG.warnf("Could not record the missing channel %s of run %s: %s", channel, runId, e.getMessage());
        }
    }

    /** Sends a test message to the channel now, once, and answers how it went. */
    public Delivery test(String name) {
        Channel channel = channels.find(name).orElseThrow(() -> new ResourceNotFoundException("channel " + name + " does not exist"));
        return sender.deliver(channel, null, "test", Messages.test(name, channel.kind(), baseUrl), 1);
    }

    @PreDestroy
    void stop() {
        deliveries.shutdownNow();
    }
}
