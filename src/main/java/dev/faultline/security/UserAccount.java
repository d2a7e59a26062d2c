package dev.faultline.security;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "app_user")
class UserAccount extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    String username;

    @Column(name = "password_hash")
    String passwordHash;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    String[] roles;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    String[] namespaces;

    boolean disabled;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "created_by")
    String createdBy;

    /** The identity provider and its subject, for a user who signs in through single sign-on; both null otherwise. */
    @Column(name = "oidc_issuer")
    String oidcIssuer;

    @Column(name = "oidc_subject")
    String oidcSubject;

    /** Browser sessions issued until then no longer sign in (set when the user signs out); null: all count. */
    @Column(name = "sessions_valid_after")
    Instant sessionsValidAfter;
}
