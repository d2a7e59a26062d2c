package dev.faultline.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Passwords bcrypt confirmed a moment ago, so that a pipeline or script sending HTTP Basic on every
 * request costs one bcrypt per {@code faultline.signin.cache-ttl} instead of one per request. Only
 * successes are kept: a wrong password is always checked at bcrypt's cost.
 *
 * <p>An entry is found by an HMAC-SHA-256, under a key drawn at start, of the name and password, and
 * holds an HMAC of the password hash that was checked: the table holds no password and no hash to
 * try guesses against without the key. It vouches for the password only, and only while the stored
 * hash is still the one checked; the caller reads the account on every request, so a password
 * changed, a user disabled or deleted (on any replica: the row is read, not a local note) is refused
 * at the next request, and roles are never taken from here. Requests with the same name and password
 * that arrive while their bcrypt runs wait for it rather than start their own, so a pipeline's
 * parallel calls cost one bcrypt when their entry expires, not one each.
 */
@ApplicationScoped
class VerifiedPasswords {

    private static final String ALGORITHM = "HmacSHA256";

    private record Verified(byte[] hash, Instant until) {
    }

    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Verified> verified;
    /** The bcrypt checks under way, by name, password and hash (as HMACs); at most one per such triple. */
    private final Map<String, CompletableFuture<Boolean>> checking = new ConcurrentHashMap<>();

    VerifiedPasswords(Clock clock, SignInConfig config) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.key = new SecretKeySpec(random, ALGORITHM);
        this.clock = clock;
        this.ttl = config.cacheTtl();
        this.verified = SignInThrottle.table(config.cacheSize());
    }

    /**
     * Whether {@code password} is the one {@code hash} was made of, as {@link Passwords#matches}
     * answers, without a bcrypt when the same name and password matched the same hash within the
     * expiry.
     */
    boolean matches(String username, String password, String hash) {
        if (hash == null || ttl.isZero()) {
            return Passwords.matches(password, hash);
        }
        String entry = HexFormat.of().formatHex(mac(bytes(username), bytes(password)));
        byte[] checked = mac(bytes(hash));
        Instant now = clock.instant();
        if (vouched(entry, checked, now)) {
            return true;
        }
        // Requests with the same name, password and hash that arrive while one bcrypt confirms them (a
        // pipeline's parallel calls, or every call of a busy one when the entry has just expired) wait for
        // that one instead of each starting its own. Only a success is shared: after a refusal or an
        // error each checks for itself, as it would have.
        String attempt = entry + "/" + HexFormat.of().formatHex(checked);
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = checking.putIfAbsent(attempt, mine);
        if (running != null) {
            if (succeeded(running)) {
                return true;
            }
            return Passwords.matches(password, hash);
        }
        try {
            if (vouched(entry, checked, now)) { // confirmed by a check that ended just before this one began
                mine.complete(true);
                return true;
            }
            boolean matches = Passwords.matches(password, hash);
            if (matches) {
                synchronized (verified) {
                    verified.put(entry, new Verified(checked, now.plus(ttl)));
                }
            }
            mine.complete(matches);
            return matches;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            checking.remove(attempt, mine);
        }
    }

    /** Whether the bcrypt another request runs for the same attempt confirmed the password. */
    private static boolean succeeded(CompletableFuture<Boolean> running) {
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Whether the entry holds {@code hash} and has not expired; an entry that does not goes. */
    private boolean vouched(String entry, byte[] hash, Instant now) {
        synchronized (verified) {
            Verified found = verified.get(entry);
            if (found == null) {
                return false;
            }
            if (now.isBefore(found.until()) && MessageDigest.isEqual(found.hash(), hash)) {
                return true;
            }
            verified.remove(entry);
            return false;
        }
    }

    /** The HMAC of the parts, each preceded by its length so that no two lists of parts run together alike. */
    private byte[] mac(byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            for (byte[] part : parts) {
                mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(part.length).array());
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every JDK", e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
