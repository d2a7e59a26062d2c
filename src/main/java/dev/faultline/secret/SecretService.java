package dev.faultline.secret;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.Names;
import dev.faultline.PageRequest;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.spec.HeaderValue;
import dev.faultline.experiment.spec.HttpChecks;
import dev.faultline.metrics.HostEntry;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.ForbiddenException;

/**
 * Write-only secrets that HTTP checks send in headers ({@code valueFrom: {secret: NAME}}). Experimenters store
 * them; only the one who created a secret, or an admin, replaces or deletes it; viewers see names and hosts. A
 * value is kept encrypted ({@link SecretCipher}) and leaves this service only for a run, as a {@link SecretLookup}.
 */
@ApplicationScoped
@Transactional
public class SecretService {

    static final int MAX_VALUE_BYTES = 8 * 1024;

    /** What a PUT sends: the whole secret, the value always (so changing hosts cannot send an old value elsewhere). */
    public record SecretRequest(String value, List<String> hosts) {

        @Override
        public String toString() {
            return "SecretRequest[" + hosts + "]";
        }
    }

    /** The outcome of {@link #put}: the secret, and whether it was new. */
    public record Put(Secret secret, boolean created) {
    }

    private final SecretCipher cipher;
    private final AuditTrail audit;
    private final ExperimentService experiments;
    private final Clock clock;

    SecretService(SecretCipher cipher, AuditTrail audit, ExperimentService experiments, Clock clock) {
        this.cipher = cipher;
        this.audit = audit;
        this.experiments = experiments;
        this.clock = clock;
    }

    /** Creates or replaces a secret: experimenters create; its creator or an admin replaces. */
    public Put put(Caller caller, String name, SecretRequest request) {
        Optional<StoredSecret> existing = Names.isDnsLabel(name) ? StoredSecret.findByIdOptional(name, LockModeType.PESSIMISTIC_WRITE)
                : Optional.empty();
        return audit.perform(caller, existing.isPresent() ? "secret.update" : "secret.create", target(name), () -> {
            caller.require(Role.EXPERIMENTER);
            existing.ifPresent(stored -> requireOwner(caller, stored));
            List<String> hosts = checked(name, request);
            Instant now = clock.instant();
            StoredSecret stored = existing.orElseGet(() -> {
                StoredSecret created = new StoredSecret();
                created.name = name;
                created.createdAt = now;
                created.createdBy = caller.name();
                return created;
            });
            SecretCipher.Sealed sealed = cipher.seal(name, request.value());
            stored.ciphertext = sealed.ciphertext();
            stored.nonce = sealed.nonce();
            stored.keyFingerprint = sealed.fingerprint();
            stored.hosts = hosts.toArray(String[]::new);
            stored.updatedAt = now;
            stored.updatedBy = caller.name();
            stored.persist();
            return new Put(toSecret(stored), existing.isEmpty());
        });
    }

    @Transactional(TxType.SUPPORTS)
    public List<Secret> list() {
        return list(PageRequest.everything()).items();
    }

    /** A page of the secrets, by name. */
    @Transactional(TxType.SUPPORTS)
    public PageRequest.Page<Secret> list(PageRequest page) {
        List<StoredSecret> found = StoredSecret.<StoredSecret> find("name > ?1", Sort.by("name"), page.afterName()).page(0, page.fetch()).list();
        return page.cutByName(found, stored -> stored.name, SecretService::toSecret);
    }

    @Transactional(TxType.SUPPORTS)
    public Optional<Secret> find(String name) {
        return StoredSecret.<StoredSecret> findByIdOptional(name).map(SecretService::toSecret);
    }

    /** Deletes a secret: its creator or an admin; refused while the current revision of an experiment names it. */
    public void delete(Caller caller, String name) {
        audit.perform(caller, "secret.delete", target(name), () -> {
            caller.require(Role.EXPERIMENTER);
            StoredSecret stored = StoredSecret.<StoredSecret> findByIdOptional(name, LockModeType.PESSIMISTIC_WRITE)
                    .orElseThrow(() -> new ResourceNotFoundException("secret " + name + " does not exist"));
            requireOwner(caller, stored);
            List<String> users = referencing(name);
            if (!users.isEmpty()) {
                throw new ResourceConflictException("secret " + name + " is used by experiment" + (users.size() == 1 ? " " : "s ")
                        + String.join(", ", users) + "; change them first");
            }
            stored.delete();
        });
    }

    /** The value of a secret for a run, with the hosts it may be sent to; or why there is none (in a transaction of its own on a run's thread). */
    public SecretLookup lookup(String name) {
        Optional<StoredSecret> found = StoredSecret.findByIdOptional(name);
        if (found.isEmpty()) {
            return new SecretLookup.Missing();
        }
        StoredSecret stored = found.get();
        return cipher.open(name, new SecretCipher.Sealed(stored.ciphertext, stored.nonce, stored.keyFingerprint))
                .<SecretLookup> map(value -> new SecretLookup.Found(value, hostEntries(stored)))
                .orElseGet(() -> new SecretLookup.Unreadable("secret " + name + " was stored with another faultline.secrets.key"));
    }

    /** The hosts a stored secret may be sent to; empty when there is no such secret. */
    public Optional<List<HostEntry>> hosts(String name) {
        return StoredSecret.<StoredSecret> findByIdOptional(name).map(SecretService::hostEntries);
    }

    /** How the audit log names a secret. */
    public static String target(String name) {
        return "secret/" + name;
    }

    /** Encrypts and decrypts with {@code key} from now on (a replica configured with another key); the key used before. */
    SecretCipher.Key useKey(SecretCipher.Key key) {
        return cipher.use(key);
    }

    private List<String> referencing(String name) {
        return experiments.list(Optional.empty(), Optional.empty()).stream()
                .filter(saved -> HttpChecks.of(saved.experiment().spec()).stream()
                        .flatMap(check -> check.http().headers().values().stream())
                        .anyMatch(value -> value instanceof HeaderValue.FromSecret from && from.secret().equals(name)))
                .map(saved -> saved.experiment().name()).toList();
    }

    private static void requireOwner(Caller caller, StoredSecret stored) {
        if (!caller.has(Role.ADMIN) && !stored.createdBy.equals(caller.name())) {
            throw new ForbiddenException("secret " + stored.name + " was created by " + stored.createdBy
                    + "; only they or an admin may replace or delete it");
        }
    }

    private static List<String> checked(String name, SecretRequest request) {
        List<FieldError> errors = new ArrayList<>();
        if (!Names.isDnsLabel(name)) {
            errors.add(new FieldError("name", Names.DNS_LABEL_RULE));
        }
        String value = request == null ? null : request.value();
        if (value == null || value.isEmpty()) {
            errors.add(new FieldError("value", "is required: the whole header value, e.g. \"Bearer …\""));
        } else if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            errors.add(new FieldError("value", "must be at most " + MAX_VALUE_BYTES + " bytes"));
        } else if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            errors.add(new FieldError("value", "must not contain a line break (CR or LF)"));
        }
        List<String> hosts = request == null || request.hosts() == null ? List.of() : request.hosts();
        if (hosts.isEmpty()) {
            errors.add(new FieldError("hosts", "is required: the hosts (host or host:port) the value may be sent to"));
        }
        for (int i = 0; i < hosts.size(); i++) {
            try {
                HostEntry.parse(hosts.get(i) == null ? "" : hosts.get(i).strip());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("hosts[" + i + "]", e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return hosts.stream().map(String::strip).distinct().toList();
    }

    private static List<HostEntry> hostEntries(StoredSecret stored) {
        return Arrays.stream(stored.hosts).map(HostEntry::parse).toList();
    }

    private static Secret toSecret(StoredSecret stored) {
        return new Secret(stored.name, List.of(stored.hosts), stored.createdAt, stored.createdBy, stored.updatedAt, stored.updatedBy);
    }
}
