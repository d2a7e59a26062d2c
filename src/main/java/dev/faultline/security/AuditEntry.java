package dev.faultline.security;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "audit_entry")
class AuditEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    Instant at;

    String actor;

    String via;

    @Column(name = "signed_in_with")
    String signedInWith;

    String operation;

    String method;

    String path;

    String target;

    int status;

    String outcome;

    String source;

    String detail;
}
