package dev.faultline.schedule;

import java.time.Instant;
import java.time.LocalDate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "game_day_note")
class StoredGameDayNote extends PanacheEntityBase {

    enum Kind {
        FINDING, ACTION
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "game_day")
    String gameDay;

    @Enumerated(EnumType.STRING)
    Kind kind;

    String text;

    String owner;

    LocalDate due;

    boolean done;

    Instant at;

    String author;

    GameDayView.Finding finding() {
        return new GameDayView.Finding(id, text, author, at);
    }

    GameDayView.Action action() {
        return new GameDayView.Action(id, text, owner, due, done, author, at);
    }
}
