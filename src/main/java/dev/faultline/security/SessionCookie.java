package dev.faultline.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

/**
 * When the browser's session cookie was issued (or last renewed), read from inside it, so that a
 * sign-out can revoke every cookie issued before it without a table of sessions. Quarkus' form
 * authentication keeps {@code <expiry in ms>:<user name>} in the cookie, AES-GCM encrypted with the
 * SHA-256 of {@code quarkus.http.auth.session.encryption-key} ({@code PersistentLoginManager}), and
 * sets the expiry to the issue time plus {@code quarkus.http.auth.form.timeout}. Should a Quarkus
 * upgrade change that format, no cookie reads and every browser session is refused: that fails
 * closed, and every browser test, which signs in, says so at once.
 */
@ApplicationScoped
class SessionCookie {

    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final String name;
    private final String path;
    private final Duration timeout;

    SessionCookie(@ConfigProperty(name = SessionKeyConfigSource.KEY) String encryptionKey,
            @ConfigProperty(name = "quarkus.http.auth.form.cookie-name", defaultValue = "quarkus-credential") String name,
            @ConfigProperty(name = "quarkus.http.auth.form.cookie-path", defaultValue = "/") String path,
            @ConfigProperty(name = "quarkus.http.auth.form.timeout", defaultValue = "PT30M") Duration timeout) {
        this.key = new SecretKeySpec(sha256(encryptionKey), "AES");
        this.name = name;
        this.path = path;
        this.timeout = timeout;
    }

    /** When the request's session cookie naming {@code username} was issued; empty when it carries none that decrypts to that user. */
    Optional<Instant> issuedAt(RoutingContext context, String username) {
        Cookie cookie = context.request().getCookie(name);
        if (cookie == null) {
            return Optional.empty();
        }
        try {
            ByteBuffer message = ByteBuffer.wrap(Base64.getDecoder().decode(cookie.getValue()));
            byte[] iv = new byte[message.get()];
            message.get(iv);
            byte[] encrypted = new byte[message.remaining()];
            message.get(encrypted);
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            String content = new String(cipher.doFinal(encrypted), StandardCharsets.UTF_8);
            int separator = content.indexOf(':');
            if (separator < 0 || !content.substring(separator + 1).equals(username)) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(content.substring(0, separator))).minus(timeout));
        } catch (GeneralSecurityException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * Has the browser drop its session cookie: one that no longer signs in would otherwise send the
     * browser to the sign-in page with it, and from there to the sign-in page again.
     */
    void clear(RoutingContext context) {
        context.response().addCookie(Cookie.cookie(name, "").setPath(path).setMaxAge(0));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
