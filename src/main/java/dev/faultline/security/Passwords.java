package dev.faultline.security;

import java.security.SecureRandom;

import io.quarkus.elytron.security.common.BcryptUtil;

/** bcrypt hashes for user passwords, and generated secrets. */
final class Passwords {

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

    /** A random secret of {@code length} characters from an alphabet without look-alikes. */
    static String generate(int length) {
        char[] secret = new char[length];
        for (int i = 0; i < length; i++) {
            secret[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(secret);
    }
}
