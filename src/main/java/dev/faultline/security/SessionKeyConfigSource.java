package dev.faultline.security;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The key that encrypts the browser's session cookie: {@code FAULTLINE_SESSION_KEY} when set (the
 * same on every replica, so sessions survive restarts and load balancing), otherwise one made at
 * random for this process. Without this, Quarkus would make one itself and print it in the log.
 * Any higher source ({@code quarkus.http.auth.session.encryption-key}) still wins.
 */
public class SessionKeyConfigSource implements ConfigSource {

    static final String KEY = "quarkus.http.auth.session.encryption-key";
    private static final String RANDOM = random();

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public String getValue(String propertyName) {
        if (!KEY.equals(propertyName)) {
            return null;
        }
        String configured = System.getenv("FAULTLINE_SESSION_KEY");
        return configured != null && configured.length() >= 16 ? configured : RANDOM;
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, getValue(KEY));
    }

    @Override
    public int getOrdinal() {
        return 150;
    }

    @Override
    public String getName() {
        return "faultline-session-key";
    }

    private static String random() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
