package dev.faultline.experiment;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import org.hibernate.exception.ConstraintViolationException;

import dev.faultline.Cursor;
import dev.faultline.FieldError;
import dev.faultline.PageRequest;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.spec.CredentialHeaders;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;

/**
 * Experiments and their revision history. Documents arrive validated (they are built by {@link
 * ExperimentCodec}); each change that alters a document adds a revision. A change needs the
 * experimenter role and a grant for the namespace the experiment targets, before and after, and a
 * document that keeps every {@link StoreRule} of this deployment; it is recorded in the audit log once
 * its transaction has committed. Every revision recorded is announced ({@link ExperimentChanged})
 * inside its transaction.
 */
@ApplicationScoped
public class ExperimentService {

    private final Clock clock;
    private final AuditTrail audit;
    private final Event<ExperimentChanged> changes;
    private final Instance<StoreRule> rules;

    ExperimentService(Clock clock, AuditTrail audit, Event<ExperimentChanged> changes, Instance<StoreRule> rules) {
        this.clock = clock;
        this.audit = audit;
        this.changes = changes;
        this.rules = rules;
    }

    /** Stores a new experiment; fails with a conflict when the name is taken. */
    public SavedExperiment create(Caller caller, Experiment experiment) {
        return audit.perform(caller, "experiment.create", target(experiment.name()), () -> {
            caller.require(Role.EXPERIMENTER);
            caller.requireGrant(experiment.spec().target().namespace());
            Experiment unmasked = unmasked(experiment, Optional.empty());
            requireStorable(unmasked);
            return QuarkusTransaction.joiningExisting().call(() -> {
                if (findEntity(experiment.name(), LockModeType.NONE).isPresent()) {
                    throw new ResourceConflictException("experiment " + experiment.name() + " already exists; use PUT to replace it");
                }
                return insert(unmasked, caller.name());
            });
        });
    }

    /**
     * Creates or replaces an experiment (GitOps apply). Applying an identical document changes
     * nothing and adds no revision.
     */
    public Applied apply(Caller caller, Experiment given) {
        return audit.perform(caller, "experiment.apply", target(given.name()), () -> {
            caller.require(Role.EXPERIMENTER);
            caller.requireGrant(given.spec().target().namespace());
            return QuarkusTransaction.joiningExisting().call(() -> {
                Optional<StoredExperiment> existing = findEntity(given.name(), LockModeType.PESSIMISTIC_WRITE);
                Experiment experiment = unmasked(given, existing.map(stored -> decode(stored.document)));
                requireStorable(experiment);
                if (existing.isEmpty()) {
                    return new Applied(insert(experiment, caller.name()), true, true);
                }
                StoredExperiment stored = existing.get();
                Experiment current = decode(stored.document);
                caller.requireGrant(current.spec().target().namespace());
                if (current.equals(experiment)) {
                    return new Applied(toSaved(stored), false, false);
                }
                Instant now = clock.instant();
                setDocument(stored, experiment);
                stored.revision++;
                stored.updatedAt = now;
                stored.updatedBy = caller.name();
                recordRevision(stored, RevisionChange.UPDATED, now, caller.name());
                return new Applied(toSaved(stored), false, true);
            });
        });
    }

    @Transactional(TxType.SUPPORTS)
    public Optional<SavedExperiment> find(String name) {
        return findEntity(name, LockModeType.NONE).map(ExperimentService::toSaved);
    }

    /**
     * The current revision as stored, credentials written in it included: for the run engine only, which sends
     * them. Everything else reads {@link #find}, where they are masked.
     */
    @Transactional(TxType.SUPPORTS)
    public Optional<SavedExperiment> findToRun(String name) {
        return findEntity(name, LockModeType.NONE).map(stored -> saved(stored, decode(stored.document)));
    }

    /** One revision as stored, credentials included, for the run engine only (see {@link #find(String, int)}). */
    @Transactional(TxType.SUPPORTS)
    public Optional<SavedExperiment> findToRun(String name, int revision) {
        return findRevision(name, revision, false);
    }

    /**
     * One revision of an experiment that exists, as it was saved then: what a game day approved runs
     * as approved, whatever was saved since. Empty when the experiment no longer exists or never had
     * that revision (or that revision is its deletion).
     */
    @Transactional(TxType.SUPPORTS)
    public Optional<SavedExperiment> find(String name, int revision) {
        return findRevision(name, revision, true);
    }

    private static Optional<SavedExperiment> findRevision(String name, int revision, boolean masked) {
        return findEntity(name, LockModeType.NONE).flatMap(stored -> ExperimentRevision.<ExperimentRevision> find(
                "experimentName = ?1 and revision = ?2 and change <> ?3", name, revision, RevisionChange.DELETED).firstResultOptional()
                .map(saved -> new SavedExperiment(masked ? decodeMasked(saved.document) : decode(saved.document), saved.revision,
                        stored.createdAt, stored.createdBy, saved.changedAt, saved.changedBy)));
    }

    /**
     * The current revision of each named experiment that exists, by name, and none of them can change
     * until the caller's transaction ends (they are read FOR SHARE): a game day's approval records
     * revisions that a concurrent save cannot slip past unseen.
     */
    @Transactional(TxType.MANDATORY)
    public Map<String, Integer> lockRevisions(Collection<String> names) {
        if (names.isEmpty()) {
            return Map.of();
        }
        return StoredExperiment.<StoredExperiment> find("name in ?1", names).withLock(LockModeType.PESSIMISTIC_READ).list().stream()
                .collect(Collectors.toMap(stored -> stored.name, stored -> stored.revision));
    }

    /** All experiments, by name, narrowed to a team and/or a tag when given. */
    @Transactional(TxType.SUPPORTS)
    public List<SavedExperiment> list(Optional<String> team, Optional<String> tag) {
        return list(team, tag, PageRequest.everything()).items();
    }

    /** A page of the experiments, by name, narrowed to a team and/or a tag when given; the query reads only that page. */
    @Transactional(TxType.SUPPORTS)
    public PageRequest.Page<SavedExperiment> list(Optional<String> team, Optional<String> tag, PageRequest page) {
        StringBuilder query = new StringBuilder("1 = 1");
        var parameters = new java.util.HashMap<String, Object>();
        team.ifPresent(value -> {
            query.append(" and team = :team");
            parameters.put("team", value);
        });
        tag.ifPresent(value -> {
            query.append(" and array_contains(tags, :tag)");
            parameters.put("tag", value);
        });
        page.after().ifPresent(after -> {
            query.append(" and name > :after");
            parameters.put("after", after.text(0));
        });
        List<StoredExperiment> found = StoredExperiment.<StoredExperiment> find(query.toString(), Sort.by("name"), parameters)
                .page(0, page.fetch()).list();
        return page.cut(found, stored -> Cursor.of(stored.name), ExperimentService::toSaved);
    }

    /** Deletes an experiment; its history stays readable. */
    public void delete(Caller caller, String name) {
        audit.perform(caller, "experiment.delete", target(name), () -> {
            caller.require(Role.EXPERIMENTER);
            QuarkusTransaction.joiningExisting().run(() -> {
                StoredExperiment stored = findEntity(name, LockModeType.PESSIMISTIC_WRITE).orElseThrow(() -> notFound(name));
                caller.requireGrant(decode(stored.document).spec().target().namespace());
                stored.revision++;
                recordRevision(stored, RevisionChange.DELETED, clock.instant(), caller.name());
                stored.delete();
            });
        });
    }

    /**
     * Fails unless {@code caller} was granted the namespace of each named experiment (what a schedule
     * or a game day runs); experiments that do not exist are left to the document's own checks.
     */
    @Transactional(TxType.SUPPORTS)
    public void requireGrantsFor(Caller caller, java.util.Collection<String> experimentNames) {
        if (experimentNames.isEmpty()) {
            return;
        }
        // one query for all of them; the order of the names decides which refusal is reported
        java.util.Map<String, String> namespaces = new java.util.HashMap<>();
        StoredExperiment.<StoredExperiment> list("name in ?1", experimentNames)
                .forEach(stored -> namespaces.put(stored.name, decode(stored.document).spec().target().namespace()));
        experimentNames.stream().map(namespaces::get).filter(java.util.Objects::nonNull).forEach(caller::requireGrant);
    }

    /** How the audit log names an experiment. */
    public static String target(String name) {
        return "experiment/" + name;
    }

    /** The history of an experiment, newest first, including revisions before a deletion. */
    @Transactional(TxType.SUPPORTS)
    public List<RevisionEntry> history(String name) {
        return history(name, PageRequest.everything()).items();
    }

    /** A page of the history of an experiment, newest first; 404 when it never existed. */
    @Transactional(TxType.SUPPORTS)
    public PageRequest.Page<RevisionEntry> history(String name, PageRequest page) {
        var revisions = page.after().isPresent()
                ? ExperimentRevision.<ExperimentRevision> find("experimentName = ?1 and revision < ?2", Sort.descending("revision"), name,
                        (int) page.after().get().number(0))
                : ExperimentRevision.<ExperimentRevision> find("experimentName", Sort.descending("revision"), name);
        List<ExperimentRevision> found = revisions.page(0, page.fetch()).list();
        if (found.isEmpty() && ExperimentRevision.count("experimentName", name) == 0) {
            throw notFound(name);
        }
        return page.cut(found, revision -> Cursor.of(revision.revision), ExperimentService::toEntry);
    }

    @Transactional(TxType.SUPPORTS)
    public Optional<RevisionEntry> revision(String name, int revision) {
        return ExperimentRevision.<ExperimentRevision> find("experimentName = ?1 and revision = ?2", name, revision)
                .firstResultOptional()
                .map(ExperimentService::toEntry);
    }

    /** Refuses a document that a rule of this deployment forbids (an HTTP probe aimed at a refused address), at its fields. */
    private void requireStorable(Experiment experiment) {
        List<FieldError> errors = rules.stream().flatMap(rule -> rule.violations(experiment).stream()).toList();
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
    }

    private SavedExperiment insert(Experiment experiment, String actor) {
        Instant now = clock.instant();
        StoredExperiment stored = new StoredExperiment();
        stored.name = experiment.name();
        setDocument(stored, experiment);
        stored.revision = nextRevision(experiment.name());
        stored.createdAt = now;
        stored.createdBy = actor;
        stored.updatedAt = now;
        stored.updatedBy = actor;
        try {
            stored.persistAndFlush();
            recordRevision(stored, RevisionChange.CREATED, now, actor);
            ExperimentRevision.flush();
        } catch (PersistenceException e) {
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw new ResourceConflictException("experiment " + experiment.name() + " was created concurrently; retry");
            }
            throw e;
        }
        return toSaved(stored);
    }

    /** The document and the columns derived from it for filtering. */
    private static void setDocument(StoredExperiment stored, Experiment experiment) {
        stored.document = ExperimentCodec.canonicalJson(experiment);
        stored.team = experiment.metadata().team();
        stored.tags = experiment.metadata().tags().toArray(String[]::new);
    }

    private static int nextRevision(String name) {
        Integer last = ExperimentRevision.getEntityManager()
                .createQuery("select max(r.revision) from ExperimentRevision r where r.experimentName = :name", Integer.class)
                .setParameter("name", name)
                .getSingleResult();
        return last == null ? 1 : last + 1;
    }

    private void recordRevision(StoredExperiment stored, RevisionChange change, Instant at, String actor) {
        ExperimentRevision revision = new ExperimentRevision();
        revision.experimentName = stored.name;
        revision.revision = stored.revision;
        revision.change = change;
        revision.document = stored.document;
        revision.changedAt = at;
        revision.changedBy = actor;
        revision.persist();
        changes.fire(new ExperimentChanged(stored.name, stored.revision, change));
    }

    private static Optional<StoredExperiment> findEntity(String name, LockModeType lock) {
        return StoredExperiment.<StoredExperiment> find("name", name).withLock(lock).firstResultOptional();
    }

    /** An experiment as it leaves this service: credential-like headers written in it masked. */
    private static SavedExperiment toSaved(StoredExperiment stored) {
        return saved(stored, decodeMasked(stored.document));
    }

    private static SavedExperiment saved(StoredExperiment stored, Experiment experiment) {
        return new SavedExperiment(experiment, stored.revision, stored.createdAt, stored.createdBy, stored.updatedAt, stored.updatedBy);
    }

    private static RevisionEntry toEntry(ExperimentRevision revision) {
        return new RevisionEntry(revision.revision, revision.change, revision.changedAt, revision.changedBy,
                decodeMasked(revision.document));
    }

    /**
     * {@code given} with each masked credential header given back the value the stored document has for it (GET
     * then PUT, or the designer, keeps a working probe); a masked one with nothing to keep is an error at its field.
     */
    private static Experiment unmasked(Experiment given, Optional<Experiment> current) {
        List<FieldError> errors = new java.util.ArrayList<>();
        Experiment experiment = CredentialHeaders.unmasked(given, current, errors);
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return experiment;
    }

    /** Documents as every reader but the run engine sees them, decoded once per text ({@link DecodedDocuments}). */
    private static final DecodedDocuments MASKED = new DecodedDocuments(json -> CredentialHeaders.masked(decode(json)));

    private static Experiment decodeMasked(String json) {
        return MASKED.get(json);
    }

    private static Experiment decode(String json) {
        return ExperimentCodec.decode(json, DocumentFormat.JSON);
    }

    private static ResourceNotFoundException notFound(String name) {
        return new ResourceNotFoundException("experiment " + name + " does not exist");
    }

    /** The outcome of {@link #apply}: whether the experiment was new, and whether anything changed. */
    public record Applied(SavedExperiment saved, boolean created, boolean changed) {
    }
}
