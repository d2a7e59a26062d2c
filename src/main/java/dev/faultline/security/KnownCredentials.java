package dev.faultline.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.DatabaseUnavailableException;

/**
 * What sign-in last learnt from the database, used only while the database does not answer: the
 * people and pipelines who could sign in a moment ago can still press the kill switch or abort a
 * run during a database outage. Every sign-in the database confirms refreshes it; one it refuses
 * (wrong password, disabled, deleted, revoked) forgets the entry.
 */
@ApplicationScoped
class KnownCredentials {

    private record Account(User user, String passwordHash) {
    }

    private record Token(String publicId, TokenService.TokenIdentity identity, Instant expiresAt) {
    }

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    KnownCredentials(Clock clock) {
        this.clock = clock;
    }

    void account(User user, String passwordHash) {
        accounts.put(user.username(), new Account(user, passwordHash));
    }

    void token(String presentedSha256, String publicId, TokenService.TokenIdentity identity, Instant expiresAt) {
        tokens.put(presentedSha256, new Token(publicId, identity, expiresAt));
    }

    /** The user changed (roles, grants, password, disabled) or is gone: nothing of theirs signs in from here until the database says so again. */
    void forgetAccount(String username) {
        accounts.remove(username);
        tokens.values().removeIf(token -> token.identity().owner().username().equals(username));
    }

    void forgetTokenById(String publicId) {
        tokens.values().removeIf(token -> token.publicId().equals(publicId));
    }

    void forgetToken(String presentedSha256) {
        tokens.remove(presentedSha256);
    }

    /** {@code fromDatabase}, or — only when the database does not answer — {@code fallback}. */
    static <T> T orWhenAway(Supplier<T> fromDatabase, Supplier<T> fallback) {
        try {
            return fromDatabase.get();
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
            return fallback.get();
        }
    }

    /** The user, when the password matches the last known hash; an unknown name costs the same check. */
    Optional<User> password(String username, String password) {
        Account known = accounts.get(username);
        return Passwords.matches(password, known == null ? null : known.passwordHash()) ? Optional.of(known.user()) : Optional.empty();
    }

    Optional<User> user(String username) {
        return Optional.ofNullable(accounts.get(username)).map(Account::user);
    }

    Optional<TokenService.TokenIdentity> token(String presentedSha256) {
        Token known = tokens.get(presentedSha256);
        return known == null || !clock.instant().isBefore(known.expiresAt()) ? Optional.empty() : Optional.of(known.identity());
    }
}
