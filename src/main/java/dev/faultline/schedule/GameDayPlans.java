package dev.faultline.schedule;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.schedule.GameDayService.State;
import dev.faultline.security.UserService;

/**
 * Game days as planned and kept: each plan checked when written (its experiments and participants
 * must exist), changed only before it starts, with its start trigger; the findings and follow-up
 * actions recorded on it.
 */
@ApplicationScoped
class GameDayPlans {

    private static final Logger LOG = Logger.getLogger(GameDayPlans.class);

    private final ExperimentService experiments;
    private final UserService users;
    private final GameDayApproval approval;
    private final FireTriggers triggers;
    private final Clock clock;

    GameDayPlans(ExperimentService experiments, UserService users, GameDayApproval approval, FireTriggers triggers, Clock clock) {
        this.experiments = experiments;
        this.users = users;
        this.approval = approval;
        this.triggers = triggers;
        this.clock = clock;
    }

    @Transactional
    void create(JsonNode document, String actor) {
        String name = DocumentFields.nameIn(document);
        if (name != null && StoredGameDay.findById(name) != null) {
            throw new ResourceConflictException("game day " + name + " exists; change it with PUT /api/v1/gamedays/" + name);
        }
        put(null, document, actor);
    }

    /** Creates or changes a game day that has not started: true when created. Either way it awaits approval. */
    @Transactional
    boolean put(String pathName, JsonNode document, String actor) {
        GameDaySpec spec = GameDaySpec.read(document, pathName);
        requireExisting(spec);
        Instant now = clock.instant();
        StoredGameDay day = StoredGameDay.findById(spec.name());
        boolean created = day == null;
        if (created) {
            day = new StoredGameDay();
            day.name = spec.name();
            day.createdAt = now;
            day.createdBy = actor;
        } else if (day.state != State.PLANNED && day.state != State.APPROVED) {
            throw new ResourceConflictException("game day " + spec.name() + " is " + day.state + "; only a planned one can change");
        }
        day.write(spec, document);
        approval.awaitApproval(day);
        day.updatedAt = now;
        day.updatedBy = actor;
        day.persist();
        triggers.once(GameDayJob.GROUP, spec.name(), GameDayJob.class, "start of game day " + spec.name(), spec.startAt());
        return created;
    }

    /** Fails unless every experiment and every participant the plan names exists. */
    private void requireExisting(GameDaySpec spec) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < spec.steps().size(); i++) {
            for (String experiment : spec.steps().get(i).experiments()) {
                if (experiments.find(experiment).isEmpty()) {
                    errors.add(new FieldError("steps[" + i + "]", "no experiment is named " + experiment));
                }
            }
        }
        for (int i = 0; i < spec.participants().size(); i++) {
            if (users.find(spec.participants().get(i)).isEmpty()) {
                errors.add(new FieldError("participants[" + i + "]", "no user is named " + spec.participants().get(i)));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
    }

    @Transactional
    void delete(String name) {
        StoredGameDay day = StoredGameDay.named(name);
        if (day.state == State.RUNNING) {
            throw new ResourceConflictException("game day " + name + " is running; cancel it first");
        }
        StoredGameDayNote.delete("gameDay", name);
        StoredGameDayRun.delete("gameDay", name);
        day.delete();
        unschedule(name);
    }

    /** Takes the start trigger away: once started, cancelled or deleted, a game day starts no more at its time. */
    void unschedule(String name) {
        try {
            triggers.remove(GameDayJob.GROUP, name);
        } catch (IllegalStateException e) {
            LOG.warnf("Could not remove the start trigger of game day %s: %s", name, e.getMessage());
        }
    }

    @Transactional
    GameDayView.Finding addFinding(String name, String text, String author) {
        return note(name, StoredGameDayNote.Kind.FINDING, text, author).finding();
    }

    @Transactional
    GameDayView.Action addAction(String name, String text, String owner, LocalDate due, String author) {
        StoredGameDayNote note = note(name, StoredGameDayNote.Kind.ACTION, text, author);
        note.owner = owner;
        note.due = due;
        return note.action();
    }

    @Transactional
    GameDayView.Action setDone(String name, long id, boolean done) {
        StoredGameDayNote note = StoredGameDayNote.<StoredGameDayNote> find("id = ?1 and gameDay = ?2 and kind = ?3", id, name,
                StoredGameDayNote.Kind.ACTION).firstResultOptional()
                .orElseThrow(() -> new ResourceNotFoundException("game day " + name + " has no action " + id));
        note.done = done;
        return note.action();
    }

    private StoredGameDayNote note(String name, StoredGameDayNote.Kind kind, String text, String author) {
        StoredGameDay.named(name);
        if (text == null || text.isBlank() || text.length() > 4000) {
            throw new InvalidDocumentException(List.of(new FieldError("text", "is required: 1 to 4000 characters")));
        }
        StoredGameDayNote note = new StoredGameDayNote();
        note.gameDay = name;
        note.kind = kind;
        note.text = text.strip();
        note.author = author;
        note.at = clock.instant();
        note.persist();
        return note;
    }
}
