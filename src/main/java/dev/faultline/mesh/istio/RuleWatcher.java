package dev.faultline.mesh.istio;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.mesh.Drift;
import dev.faultline.mesh.FaultInjector.RuleWatch;
import dev.faultline.mesh.RuleRef;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * Watches the one VirtualService that holds a rule and tells, once, when someone else takes the rule
 * out. The watch is opened before the resource is read, so a change between the two is seen by one or
 * the other; a watch that fails is opened and read again, since a watch that quietly stopped would
 * hide drift.
 */
final class RuleWatcher implements RuleWatch {

    private static final Logger LOG = Logger.getLogger(RuleWatcher.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final RuleRef rule;
    private final Consumer<Drift> onDrift;
    private final Resource<GenericKubernetesResource> resource;
    private final Function<GenericKubernetesResource, JsonNode> toJson;
    private final Clock clock;
    private final Set<RuleWatcher> live;
    /** Held while {@code onDrift} runs, so that {@link #close()} can wait for a report already under way. */
    private final ReentrantLock reporting = new ReentrantLock();
    /** Counts the watches opened, so that only the failure of the latest one opens another. */
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean stopped;
    private volatile Watch watch;
    /** Read and written only while {@link #reporting} is held. */
    private boolean reported;

    RuleWatcher(RuleRef rule, Consumer<Drift> onDrift, Resource<GenericKubernetesResource> resource,
            Function<GenericKubernetesResource, JsonNode> toJson, Clock clock, Set<RuleWatcher> live) {
        this.rule = rule;
        this.onDrift = onDrift;
        this.resource = resource;
        this.toJson = toJson;
        this.clock = clock;
        this.live = live;
    }

    /** Opens the watch and reads the rule once; when the API cannot be reached, keeps trying in the background. */
    void start() {
        live.add(this);
        try {
            connect();
        } catch (KubernetesClientException e) {
            LOG.warnf("Could not watch rule %s in %s (%s); trying again in the background", rule.route(), where(), e.getMessage());
            Thread.ofVirtual().name("watch-" + rule.route()).start(this::reconnect);
        }
    }

    /** Whether this watches {@code other}, whichever moment either was read at. */
    boolean watches(RuleRef other) {
        return rule.runId().equals(other.runId()) && rule.namespace().equals(other.namespace())
                && rule.resource().equals(other.resource()) && rule.route().equals(other.route());
    }

    /** Ends the watch without waiting for a report under way: for Faultline's own removal, which is not drift. */
    void stop() {
        stopped = true;
        live.remove(this);
        Watch open = watch;
        if (open != null) {
            // stopped, it reports nothing more; closing the connection can take the API server's time, which the kill
            // switch, stopping every watch before its writes, must not wait for
            Thread.startVirtualThread(open::close);
        }
    }

    @Override
    public void close() {
        stop();
        // Waits only for a report already being delivered on another thread; returns at once on the reporting thread.
        reporting.lock();
        reporting.unlock();
    }

    private void connect() {
        Watch previous = watch;
        if (previous != null) {
            previous.close();
        }
        int generation = opened.incrementAndGet();
        Watch current = resource.watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource vs) {
                if (vs == null || vs.getMetadata() == null || !rule.resource().equals(vs.getMetadata().getName())) {
                    return;
                }
                switch (action) {
                    case DELETED -> report(where() + " was deleted");
                    case ADDED, MODIFIED -> check(toJson.apply(vs));
                    default -> {
                    }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                if (!stopped && generation == opened.get()) {
                    LOG.warnf("The watch on rule %s in %s closed (%s); watching again", rule.route(), where(), cause.getMessage());
                    Thread.ofVirtual().name("watch-" + rule.route()).start(RuleWatcher.this::reconnect);
                }
            }

            @Override
            public void onClose() {
            }
        });
        watch = current;
        if (stopped) {
            current.close();
            return;
        }
        GenericKubernetesResource vs = resource.get();
        check(vs == null ? null : toJson.apply(vs));
    }

    private void reconnect() {
        Duration backoff = FIRST_BACKOFF;
        while (!stopped) {
            try {
                connect();
                return;
            } catch (KubernetesClientException e) {
                LOG.warnf("Could not watch rule %s in %s again (%s); trying again in %d ms", rule.route(), where(), e.getMessage(),
                        backoff.toMillis());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Reports drift when {@code vs} (null when gone) no longer holds the rule's route with a fault. */
    private void check(JsonNode vs) {
        if (vs == null) {
            report(where() + " was deleted");
            return;
        }
        int index = RoutePlanner.routeIndex(vs, rule.route());
        if (index < 0) {
            report("route " + rule.route() + " was removed from " + where());
        } else if (vs.path("spec").path("http").get(index).path("fault").isEmpty()) {
            report("the fault of route " + rule.route() + " was removed from " + where());
        }
    }

    private void report(String change) {
        reporting.lock();
        try {
            if (stopped || reported) {
                return;
            }
            reported = true;
            LOG.infof("Drift of rule %s: %s", rule.route(), change);
            try {
                onDrift.accept(new Drift(rule, clock.instant(), change));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Reporting drift of rule %s failed", rule.route());
            }
        } finally {
            reporting.unlock();
        }
        stop();
    }

    private String where() {
        return "VirtualService " + rule.namespace() + "/" + rule.resource();
    }
}
