package dev.faultline.notify;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.faultline.PageRequest;
import dev.faultline.Names;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;

/** The channels: stored ones (admins manage them) and those declared in configuration (read-only). */
@ApplicationScoped
public class ChannelService {


    /** What an admin sends to create or change a channel; {@code url} and {@code secret} are write-only. */
    public record ChannelRequest(String kind, String url, String secret) {
    }

    private final List<Channel> configured;
    private final Clock clock;

    private final AuditTrail audit;
    private final Notifier notifier;

    ChannelService(NotifyConfig config, Clock clock, AuditTrail audit, Notifier notifier) {
        this.configured = configured(config);
        this.clock = clock;
        this.audit = audit;
        this.notifier = notifier;
    }

    @Transactional
    public List<ChannelView> list() {
        return list(PageRequest.everything()).items();
    }

    /** A page of the channels, configured and stored ones together, by name. */
    @Transactional
    public PageRequest.Page<ChannelView> list(PageRequest page) {
        String after = page.afterName();
        List<ChannelView> views = new ArrayList<>();
        configured().stream().filter(channel -> channel.name().compareTo(after) > 0).forEach(channel -> views.add(ChannelView.of(channel, null)));
        StoredChannel.<StoredChannel> find("name > ?1", Sort.by("name"), after).page(0, page.fetch()).list()
                .forEach(channel -> views.add(ChannelView.of(toChannel(channel), channel)));
        views.sort(Comparator.comparing(ChannelView::name));
        return page.cutByName(views, ChannelView::name, view -> view);
    }

    @Transactional
    public Optional<ChannelView> view(String name) {
        Optional<Channel> configured = configured().stream().filter(c -> c.name().equals(name)).findFirst();
        if (configured.isPresent()) {
            return Optional.of(ChannelView.of(configured.get(), null));
        }
        return StoredChannel.<StoredChannel> findByIdOptional(name).map(stored -> ChannelView.of(toChannel(stored), stored));
    }

    @Transactional
    Optional<Channel> find(String name) {
        Optional<Channel> configured = configured().stream().filter(c -> c.name().equals(name)).findFirst();
        return configured.isPresent() ? configured
                : StoredChannel.<StoredChannel> findByIdOptional(name).map(ChannelService::toChannel);
    }

    /**
     * Creates (true) or changes (false) a stored channel. On a change, an absent {@code url} or
     * {@code secret} keeps the stored one (the API never shows them, so nobody can be asked to
     * repeat them); an empty {@code secret} stops signing.
     */
    /** Creates a channel: admins; fails when the name is taken. */
    public void create(Caller caller, String name, ChannelRequest request) {
        audit.perform(caller, "channel.create", target(name), () -> {
            caller.require(Role.ADMIN);
            QuarkusTransaction.joiningExisting().run(() -> {
                if (name != null && find(name).isPresent()) {
                    throw new ResourceConflictException("channel " + name + " exists; change it with PUT /api/v1/channels/" + name);
                }
                store(name, request, caller.name());
            });
        });
    }

    /** Creates (true) or changes (false) a stored channel: admins. */
    public boolean put(Caller caller, String name, ChannelRequest request) {
        return audit.perform(caller, "channel.apply", target(name), () -> {
            caller.require(Role.ADMIN);
            return QuarkusTransaction.joiningExisting().call(() -> store(name, request, caller.name()));
        });
    }

    /** Deletes a stored channel: admins. */
    public void delete(Caller caller, String name) {
        audit.perform(caller, "channel.delete", target(name), () -> {
            caller.require(Role.ADMIN);
            QuarkusTransaction.joiningExisting().run(() -> delete(name));
        });
    }

    /** Sends a test message, one attempt, now: admins. */
    public Delivery test(Caller caller, String name) {
        return audit.perform(caller, "channel.test", target(name), () -> {
            caller.require(Role.ADMIN);
            return notifier.test(name);
        });
    }

    /** How the audit log names a channel. */
    public static String target(String name) {
        return "channel/" + name;
    }

    private boolean store(String name, ChannelRequest request, String actor) {
        List<FieldError> errors = new ArrayList<>();
        if (!Names.isDnsLabel(name)) {
            errors.add(new FieldError("name", Names.DNS_LABEL_RULE));
        }
        StoredChannel stored = name == null ? null : StoredChannel.findById(name);
        Channel.Kind kind = kind(request == null ? null : request.kind(), errors);
        String newUrl = request == null ? null : request.url();
        URI url = newUrl == null && stored != null ? URI.create(stored.url) : url(newUrl, errors);
        String newSecret = request == null ? null : request.secret();
        String secret = newSecret == null ? stored == null ? null : stored.secret : newSecret.isEmpty() ? null : newSecret;
        if (secret != null && (secret.length() < 16 || secret.length() > 256)) {
            errors.add(new FieldError("secret", "must be 16 to 256 characters (or empty to stop signing)"));
        }
        if (secret != null && kind == Channel.Kind.SLACK) {
            errors.add(new FieldError("secret", "is for webhooks; Slack does not check signatures"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        if (configured().stream().anyMatch(c -> c.name().equals(name))) {
            throw new ResourceConflictException("channel " + name + " is declared in configuration; change it there");
        }
        Instant now = clock.instant();
        boolean created = stored == null;
        if (created) {
            stored = new StoredChannel();
            stored.name = name;
            stored.createdAt = now;
            stored.createdBy = actor;
        }
        stored.kind = kind.key();
        stored.url = url.toString();
        stored.secret = secret;
        stored.updatedAt = now;
        stored.updatedBy = actor;
        stored.persist();
        return created;
    }

    private static Channel.Kind kind(String text, List<FieldError> errors) {
        if (text == null) {
            errors.add(new FieldError("kind", "is required: slack or webhook"));
            return null;
        }
        try {
            return Channel.Kind.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("kind", "must be slack or webhook"));
            return null;
        }
    }

    private void delete(String name) {
        if (configured().stream().anyMatch(c -> c.name().equals(name))) {
            throw new ResourceConflictException("channel " + name + " is declared in configuration; remove it there");
        }
        if (!StoredChannel.deleteById(name)) {
            throw new ResourceNotFoundException("channel " + name + " does not exist");
        }
    }

    private static URI url(String text, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            errors.add(new FieldError("url", "is required: the http(s) address notifications are posted to"));
            return null;
        }
        try {
            URI url = new URI(text);
            if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null) {
                errors.add(new FieldError("url", "must be an absolute http or https URL"));
                return null;
            }
            return url;
        } catch (java.net.URISyntaxException e) {
            errors.add(new FieldError("url", "is not a valid URL"));
            return null;
        }
    }

    private List<Channel> configured() {
        return configured;
    }

    /** The channels of {@code faultline.notify.*}, checked once: a bad one stops start-up, naming its key. */
    private static List<Channel> configured(NotifyConfig config) {
        List<Channel> channels = new ArrayList<>();
        config.slack().forEach((name, slack) -> channels.add(new Channel(name, Channel.Kind.SLACK,
                configuredUrl("faultline.notify.slack." + name + ".webhook-url", slack.webhookUrl()), null, Channel.Source.CONFIGURATION)));
        config.webhook().forEach((name, webhook) -> channels.add(new Channel(name, Channel.Kind.WEBHOOK,
                configuredUrl("faultline.notify.webhook." + name + ".url", webhook.url()), webhook.secret().orElse(null),
                Channel.Source.CONFIGURATION)));
        for (Channel channel : channels) {
            if (!Names.isDnsLabel(channel.name())) {
                throw new IllegalStateException("faultline.notify." + channel.kind().key() + "." + channel.name()
                        + ": the channel name must be a DNS label (lower-case letters, digits and '-', at most 63)");
            }
        }
        return List.copyOf(channels);
    }

    private static URI configuredUrl(String key, String text) {
        List<FieldError> errors = new ArrayList<>();
        URI url = url(text, errors);
        if (!errors.isEmpty()) {
            throw new IllegalStateException(key + " " + errors.get(0).message());
        }
        return url;
    }

    private static Channel toChannel(StoredChannel stored) {
        return new Channel(stored.name, Channel.Kind.valueOf(stored.kind.toUpperCase(Locale.ROOT)), URI.create(stored.url), stored.secret,
                Channel.Source.STORED);
    }
}
