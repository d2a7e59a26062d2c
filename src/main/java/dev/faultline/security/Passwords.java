package dev.faultline.security;

import java.security.SecureRandom;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.elytron.security.common.BcryptUtil;

/** bcrypt hashes for user passwords, the rules a password must meet, and generated secrets. */
public final class Passwords {

    public static final int MIN_LENGTH = 12;
    /** bcrypt reads at most 72 bytes; anything after them would silently not count. */
    public static final int MAX_BYTES = 72;

    /** ~60 ms per check on the 2-core build machine: slow for guessing, fine for people. */
    private static final int BCRYPT_COST = 10;
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * The hash of a random password nobody knows, checked in place of a missing one (no such user, or
     * one without a password), so that refusing an unknown name costs the same bcrypt as a wrong
     * password and the time of an answer does not tell which names exist.
     */
    private static final String ABSENT = hash(generate(32));
    /** bcrypt checks of sign-in passwords, the stand-in's included: what guessing costs this server. */
    private static final Counter CHECKS = Counter.builder("faultline.password.checks")
            .description("bcrypt checks of presented passwords, including those against the stand-in hash of an unknown name")
            .register(Metrics.globalRegistry);

    private Passwords() {
    }

    static String hash(String password) {
        return BcryptUtil.bcryptHash(password, BCRYPT_COST);
    }

    /** Whether {@code password} is the one {@code hash} was made of; without a hash, false after as long a check. */
    static boolean matches(String password, String hash) {
        boolean matches = BcryptUtil.matches(password, hash == null ? ABSENT : hash);
        CHECKS.increment();
        return hash != null && matches;
    }

    /** Why {@code password} cannot be used, or empty when it can. */
    public static java.util.Optional<String> problem(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return java.util.Optional.of("must have at least " + MIN_LENGTH + " characters");
        }
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            return java.util.Optional.of("must be at most " + MAX_BYTES + " bytes long");
        }
        if (password.isBlank()) {
            return java.util.Optional.of("must not be only spaces");
        }
        return java.util.Optional.empty();
    }

    /** A random secret of {@code length} characters from an alphabet without look-alikes. */
    public static String generate(int length) {
        char[] secret = new char[length];
        for (int i = 0; i < length; i++) {
            secret[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(secret);
    }
}
