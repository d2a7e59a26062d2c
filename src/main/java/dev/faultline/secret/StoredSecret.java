package dev.faultline.secret;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A secret as stored: its value only encrypted, with the fingerprint of the key that encrypted it. */
@Entity
@Table(name = "secret")
class StoredSecret extends PanacheEntityBase {

    @Id
    String name;

    byte[] ciphertext;

    byte[] nonce;

    @Column(name = "key_fingerprint")
    String keyFingerprint;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    String[] hosts;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "created_by")
    String createdBy;

    @Column(name = "updated_at")
    Instant updatedAt;

    @Column(name = "updated_by")
    String updatedBy;

    @Override
    public String toString() {
        return "StoredSecret[" + name + "]";
    }
}
