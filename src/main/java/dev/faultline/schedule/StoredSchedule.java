package dev.faultline.schedule;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.ResourceNotFoundException;
import dev.faultline.security.Authors;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A schedule as kept: its document, and two of its fields copied into columns of their own —
 * {@code paused}, which the calendar queries on, and {@code experiment}, which nothing reads but
 * the table requires (not null). Only {@link #write} sets the three; everything else reads the document.
 */
@Entity
@Table(name = "schedule")
class StoredSchedule extends PanacheEntityBase {

    @Id
    String name;

    private String experiment;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String document;

    private boolean paused;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "created_by")
    String createdBy;

    @Column(name = "updated_at")
    Instant updatedAt;

    @Column(name = "updated_by")
    String updatedBy;

    static StoredSchedule named(String name) {
        return StoredSchedule.<StoredSchedule> findByIdOptional(name).orElseThrow(() -> missing(name));
    }

    static ResourceNotFoundException missing(String name) {
        return new ResourceNotFoundException("schedule " + name + " does not exist");
    }

    /** Keeps {@code document}, checked as {@code spec}. */
    void write(ScheduleSpec spec, JsonNode document) {
        this.document = DocumentFields.written(document, spec.name(), ScheduleSpec.SHOWN);
        this.experiment = spec.experiment();
        this.paused = spec.paused();
    }

    /** The document as written. */
    JsonNode document() {
        return DocumentFields.parse(document, "schedule");
    }

    /** Whom its fires start runs for: its creator and whoever last changed it. */
    List<Authors.Author> authors() {
        return Authors.of(createdBy, updatedBy);
    }

    /** The schedule the document describes. */
    ScheduleSpec spec() {
        return ScheduleSpec.stored(name, document());
    }
}
