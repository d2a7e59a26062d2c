package dev.faultline.schedule;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.ResourceNotFoundException;
import dev.faultline.security.Authors;
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

    /** The revision of each experiment the approval covers, as JSON ({@code {"reviews-latency": 3}}); null while not approved. */
    @Column(name = "approved_revisions", columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String approvedRevisions;

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

    /** The revision of each experiment its approval covers, by name; empty while it is not approved. */
    Map<String, Integer> approvedRevisions() {
        Map<String, Integer> revisions = new LinkedHashMap<>();
        if (approvedRevisions != null) {
            DocumentFields.parse(approvedRevisions, "game day's approved revisions").properties()
                    .forEach(entry -> revisions.put(entry.getKey(), entry.getValue().asInt()));
        }
        return revisions;
    }

    /** Keeps the revisions an approval covers; null when there is no approval. */
    void approveRevisions(Map<String, Integer> revisions) {
        if (revisions == null) {
            approvedRevisions = null;
            return;
        }
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        revisions.forEach(json::put);
        approvedRevisions = json.toString();
    }

    /** Whom its runs are started for: its creator and whoever last changed it. */
    List<Authors.Author> authors() {
        return Authors.of(createdBy, updatedBy);
    }

    /** The plan the document describes. */
    GameDaySpec spec() {
        return GameDaySpec.stored(name, document());
    }
}
