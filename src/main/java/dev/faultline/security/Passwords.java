package dev.faultline.security;

import java.security.SecureRandom;

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

    private Passwords() {
    }

    static String hash(String password) {
        return BcryptUtil.bcryptHash(password, BCRYPT_COST);
    }

    static boolean matches(String password, String hash) {
        return hash != null && BcryptUtil.matches(password, hash);
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
