package dev.faultline.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;
import org.quartz.CronExpression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.PageRequest;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.PolicyDeniedException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.Durations;
import dev.faultline.run.HaltService;
import dev.faultline.run.Instance;
import dev.faultline.run.Run;
import dev.faultline.run.RunEngine;
import dev.faultline.run.RunService;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * Schedules: stored in PostgreSQL, each with a Quartz cron trigger in the clustered job store, so
 * that one instance takes each fire. That instance claims the fire in {@code schedule_fire} (one
 * row per fire time: a second claim fails), waits its jitter, and starts the run — or records why
 * it did not: halted, blackout, outside the window, target busy.
 */
@ApplicationScoped
public class ScheduleService {

    private static final Logger LOG = Logger.getLogger(ScheduleService.class);
    private static final int NEXT_FIRES = 5;
    private static final int HISTORY = 50;

    private final FireTriggers triggers;
    private final ExperimentService experiments;
    private final RunEngine engine;
    private final RunService runs;
    private final HaltService halt;
    private final AuditTrail audit;
    private final FireLog fires;
    private final Instance instance;
    private final Clock clock;

    ScheduleService(FireTriggers triggers, ExperimentService experiments, RunEngine engine, RunService runs, HaltService halt,
            AuditTrail audit, FireLog fires, Instance instance, Clock clock) {
        this.halt = halt;
        this.audit = audit;
        this.triggers = triggers;
        this.experiments = experiments;
        this.engine = engine;
        this.runs = runs;
        this.fires = fires;
        this.instance = instance;
        this.clock = clock;
    }

    @Transactional
    public List<ScheduleView> list() {
        return list(PageRequest.everything()).items();
    }

    /** A page of the schedules, by name. */
    @Transactional
    public PageRequest.Page<ScheduleView> list(PageRequest page) {
        List<StoredSchedule> found = StoredSchedule.<StoredSchedule> find("name > ?1", io.quarkus.panache.common.Sort.ascending("name"),
                page.afterName()).page(0, page.fetch()).list();
        return page.cutByName(found, stored -> stored.name, this::view);
    }

    @Transactional
    public Optional<ScheduleView> find(String name) {
        return StoredSchedule.<StoredSchedule> findByIdOptional(name).map(this::view);
    }

    /** The experiment a stored schedule runs; empty when there is no such schedule. */
    @Transactional
    Optional<String> experimentOf(String name) {
        return StoredSchedule.<StoredSchedule> findByIdOptional(name).map(stored -> stored.spec().experiment());
    }

    /** Validates {@code document} and stores it, (re)scheduling its trigger: true when created. */
    public boolean put(Caller caller, String pathName, JsonNode document) {
        String name = pathName != null ? pathName : DocumentFields.nameIn(document);
        return audit.perform(caller, "schedule.apply", target(name), () -> {
            requireGrants(caller, document, pathName);
            return QuarkusTransaction.joiningExisting().call(() -> store(pathName, document, caller.name()));
        });
    }

    /** Creates a schedule; fails when the name is taken. */
    public void create(Caller caller, JsonNode document) {
        String name = DocumentFields.nameIn(document);
        audit.perform(caller, "schedule.create", target(name), () -> {
            requireGrants(caller, document, null);
            QuarkusTransaction.joiningExisting().run(() -> {
                if (name != null && StoredSchedule.findById(name) != null) {
                    throw new dev.faultline.ResourceConflictException("schedule " + name + " exists; change it with PUT /api/v1/schedules/" + name);
                }
                store(null, document, caller.name());
            });
        });
    }

    public void delete(Caller caller, String name) {
        audit.perform(caller, "schedule.delete", target(name), () -> {
            requireGrants(caller, null, name);
            QuarkusTransaction.joiningExisting().run(() -> {
                if (!StoredSchedule.deleteById(name)) {
                    throw StoredSchedule.missing(name);
                }
                triggers.remove(ScheduleJob.GROUP, name);
            });
        });
    }

    /** Pauses (no fires until resumed) or resumes a schedule; fires missed while paused are not made up. */
    public ScheduleView setPaused(Caller caller, String name, boolean paused) {
        return audit.perform(caller, paused ? "schedule.pause" : "schedule.resume", target(name), () -> {
            requireGrants(caller, null, name);
            return QuarkusTransaction.joiningExisting().call(() -> {
                StoredSchedule stored = StoredSchedule.named(name);
                ObjectNode document = (ObjectNode) stored.document();
                document.put("paused", paused);
                ScheduleSpec spec = ScheduleSpec.read(document, name);
                stored.write(spec, document);
                stored.updatedAt = clock.instant();
                stored.updatedBy = caller.name();
                schedule(spec);
                return view(stored);
            });
        });
    }

    /** How the audit log names a schedule. */
    public static String target(String name) {
        return "schedule/" + name;
    }

    /** Experimenters change schedules of experiments they were granted: the one it runs now, and the one it is to run. */
    private void requireGrants(Caller caller, JsonNode document, String name) {
        caller.require(Role.EXPERIMENTER);
        if (document != null && document.path("experiment").isTextual()) {
            experiments.requireGrantsFor(caller, List.of(document.path("experiment").asText()));
        }
        if (name != null) {
            experimentOf(name).ifPresent(current -> experiments.requireGrantsFor(caller, List.of(current)));
        }
    }

    private boolean store(String pathName, JsonNode document, String actor) {
        ScheduleSpec spec = ScheduleSpec.read(document, pathName);
        if (experiments.find(spec.experiment()).isEmpty()) {
            throw new InvalidDocumentException(List.of(new FieldError("experiment", "no experiment is named " + spec.experiment())));
        }
        Instant now = clock.instant();
        StoredSchedule stored = StoredSchedule.findById(spec.name());
        boolean created = stored == null;
        if (created) {
            stored = new StoredSchedule();
            stored.name = spec.name();
            stored.createdAt = now;
            stored.createdBy = actor;
        }
        stored.write(spec, document);
        stored.updatedAt = now;
        stored.updatedBy = actor;
        stored.persist();
        schedule(spec);
        return created;
    }

    /** Makes sure every stored schedule has its trigger (a restored database, say); the others' triggers stay as they are. */
    void onStart(@Observes StartupEvent start) {
        try {
            for (StoredSchedule stored : storedSchedules()) {
                if (!triggers.exists(ScheduleJob.GROUP, stored.name)) {
                    schedule(stored.spec());
                    LOG.infof("Schedule %s had no trigger; it has one again", stored.name);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not check the schedules' triggers: %s", e.getMessage());
        }
    }

    @Transactional
    List<StoredSchedule> storedSchedules() {
        return StoredSchedule.listAll();
    }

    /**
     * A fire of {@code name} due at {@code scheduledFor}, handled by whichever instance Quartz gave it
     * to. The run starts for whoever created and last changed the schedule; should one of them no
     * longer be allowed to run it, the fire is refused (in its history and the audit log) and starts none.
     */
    @jakarta.enterprise.context.control.ActivateRequestContext
    void fire(String name, Instant scheduledFor) {
        Optional<StoredSchedule> found = stored(name);
        if (found.isEmpty() || !fires.claim(name, scheduledFor, clock.instant(), instance.id())) {
            return;
        }
        ScheduleSpec spec = found.get().spec();
        try {
            if (!spec.jitter().isZero()) {
                Thread.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(spec.jitter().toMillis() + 1)));
            }
            Optional<String> skip = whySkip(spec, scheduledFor);
            if (skip.isPresent()) {
                fires.skipped(name, scheduledFor, clock.instant(), skip.get());
                LOG.infof("Schedule %s skipped its fire of %s: %s", name, scheduledFor, skip.get());
                return;
            }
            SavedExperiment saved = experiments.findToRun(spec.experiment()).orElseThrow();
            Run run = runs.fire(Caller.Via.SCHEDULE, "schedule:" + name, found.get().authors(), saved);
            fires.started(name, scheduledFor, clock.instant(), run.id());
            LOG.infof("Schedule %s started run %s of %s", name, run.id(), spec.experiment());
        } catch (PolicyDeniedException refused) {
            fires.refused(name, scheduledFor, clock.instant(), refused.getMessage());
            LOG.infof("Schedule %s refused its fire of %s: %s", name, scheduledFor, refused.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fires.skipped(name, scheduledFor, clock.instant(), "Faultline stopped during the jitter");
        } catch (RuntimeException e) {
            LOG.warnf(e, "Schedule %s could not start a run", name);
            fires.skipped(name, scheduledFor, clock.instant(), "could not start: " + e.getMessage());
        }
    }

    private Optional<String> whySkip(ScheduleSpec spec, Instant scheduledFor) {
        Optional<String> calendar = spec.skipReason(scheduledFor);
        if (calendar.isPresent()) {
            return calendar;
        }
        Run.Halt state = halt.state();
        if (state.halted()) {
            return Optional.of("halted" + (state.reason() == null ? "" : ": " + state.reason()));
        }
        Optional<SavedExperiment> saved = experiments.find(spec.experiment());
        if (saved.isEmpty()) {
            return Optional.of("experiment " + spec.experiment() + " does not exist");
        }
        var target = saved.get().experiment().spec().target();
        List<String> busy = engine.liveOnTarget(target.namespace(), target.serviceName());
        if (!busy.isEmpty()) {
            return Optional.of("target busy: run " + busy.get(0) + " is live on " + target.service() + " in " + target.namespace());
        }
        return Optional.empty();
    }

    /** The schedule as kept now, detached. */
    @Transactional
    Optional<StoredSchedule> stored(String name) {
        return StoredSchedule.findByIdOptional(name);
    }

    private void schedule(ScheduleSpec spec) {
        triggers.onCron(ScheduleJob.GROUP, spec.name(), ScheduleJob.class, "schedule " + spec.name() + " of " + spec.experiment(),
                spec.cronExpression(), spec.timeZone(), spec.paused());
    }

    /** A coming fire of a schedule, for calendars. */
    public record Upcoming(String schedule, String experiment, ScheduleView.NextFire fire) {
    }

    /**
     * The fires of every active schedule from {@code from} until {@code until}, at most
     * {@code perDay} of each schedule on each day (in {@code zone}), in time order; skipped ones
     * say why. A schedule firing every second still shows on every day.
     */
    @Transactional
    public List<Upcoming> upcoming(Instant from, Instant until, ZoneId zone, int perDay) {
        List<Upcoming> upcoming = new ArrayList<>();
        for (StoredSchedule stored : StoredSchedule.<StoredSchedule> list("paused", false)) {
            ScheduleSpec spec = stored.spec();
            for (Instant dayStart = from; dayStart.isBefore(until); ) {
                Instant nextDay = dayStart.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
                // just before the day starts, so that a fire at midnight counts
                Instant after = dayStart.equals(from) ? from : dayStart.minusMillis(1);
                fires(spec, after, nextDay.isBefore(until) ? nextDay : until, perDay)
                        .forEach(fire -> upcoming.add(new Upcoming(stored.name, spec.experiment(), fire)));
                dayStart = nextDay;
            }
        }
        upcoming.sort(java.util.Comparator.comparing(u -> u.fire().at()));
        return upcoming;
    }

    private static List<ScheduleView.NextFire> fires(ScheduleSpec spec, Instant from, Instant until, int limit) {
        List<ScheduleView.NextFire> next = new ArrayList<>();
        CronExpression cron = spec.cronExpression();
        Date after = Date.from(from);
        for (int i = 0; i < limit; i++) {
            Date at = cron.getNextValidTimeAfter(after);
            if (at == null || !at.toInstant().isBefore(until)) {
                break;
            }
            next.add(new ScheduleView.NextFire(at.toInstant(), spec.skipReason(at.toInstant()).orElse(null)));
            after = at;
        }
        return next;
    }

    private ScheduleView view(StoredSchedule stored) {
        JsonNode document = stored.document();
        ScheduleSpec spec = ScheduleSpec.stored(stored.name, document);
        List<ScheduleView.NextFire> next = spec.paused() ? List.of() : fires(spec, clock.instant(), Instant.MAX, NEXT_FIRES);
        List<ScheduleView.Fire> history = fires.recent(stored.name, HISTORY).stream()
                .map(f -> new ScheduleView.Fire(f.at, f.scheduledFor, f.runId, f.skipped, f.refused, f.instance)).toList();
        return new ScheduleView(stored.name, spec.experiment(), spec.cron(), spec.timeZone().getId(), document.get("window"),
                document.get("blackouts"), spec.jitter().isZero() ? null : Durations.format(spec.jitter()), spec.paused(), next, history,
                new ScheduleView.Status(stored.createdAt, stored.createdBy, stored.updatedAt, stored.updatedBy));
    }
}
