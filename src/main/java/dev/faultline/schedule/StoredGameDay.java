package dev.faultline.schedule;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.ResourceNotFoundException;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "game_day")
class StoredGameDay extends PanacheEntityBase {

    @Id
    String name;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String document;

    @Enumerated(EnumType.STRING)
    GameDayService.State state;

    String reason;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "created_by")
    String createdBy;

    @Column(name = "updated_at")
    Instant updatedAt;

    @Column(name = "updated_by")
    String updatedBy;

    @Column(name = "approved_at")
    Instant approvedAt;

    @Column(name = "approved_by")
    String approvedBy;

    @Column(name = "started_at")
    Instant startedAt;

    @Column(name = "ended_at")
    Instant endedAt;

    String owner;

    @Column(name = "heartbeat_at")
    Instant heartbeatAt;

    static StoredGameDay named(String name) {
        return StoredGameDay.<StoredGameDay> findByIdOptional(name)
                .orElseThrow(() -> new ResourceNotFoundException("game day " + name + " does not exist"));
    }

    /** Keeps {@code document} as the plan. */
    void write(GameDaySpec spec, JsonNode document) {
        this.document = DocumentFields.written(document, spec.name(), GameDaySpec.SHOWN);
    }

    /** The plan as written. */
    JsonNode document() {
        return DocumentFields.parse(document, "game day");
    }

    /** The plan the document describes. */
    GameDaySpec spec() {
        return GameDaySpec.stored(name, document());
    }
}
