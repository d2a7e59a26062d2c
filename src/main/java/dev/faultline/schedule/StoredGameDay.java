package dev.faultline.schedule;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "game_day")
class StoredGameDay extends PanacheEntityBase {

    @Id
    String name;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    String document;

    String state;

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
}
