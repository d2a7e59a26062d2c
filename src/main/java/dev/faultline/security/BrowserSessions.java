package dev.faultline.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The browser sessions of users: which still sign in, and signing out. The session cookie is
 * encrypted and self-contained, so deleting it in one browser leaves any copy working; signing out
 * therefore records, in the database every replica reads, that the user's sessions issued until now
 * no longer count. That signs the user out of every browser at once, which is what someone who
 * suspects a copied cookie wants.
 */
@ApplicationScoped
public class BrowserSessions {

    /** The clock Quarkus stamps session cookies with; a test's clock must not decide which cookies count. */
    private static final Clock COOKIE_CLOCK = Clock.systemUTC();

    private final KnownCredentials known;
    private final AuditTrail audit;

    BrowserSessions(KnownCredentials known, AuditTrail audit) {
        this.known = known;
        this.audit = audit;
    }

    /** Revokes the caller's browser sessions issued until now, copies of their cookie included. Anyone may sign themselves out. */
    @Transactional(TxType.NOT_SUPPORTED)
    public void signOut(Caller caller) {
        audit.perform(caller, "user.sign-out", UserService.target(caller.name()), () -> {
            known.forgetAccount(caller.name());
            QuarkusTransaction.requiringNew().run(() -> UserAccount.update("sessionsValidAfter = ?1 where username = ?2",
                    COOKIE_CLOCK.instant(), caller.name()));
        });
    }

    /**
     * The user a session cookie issued at {@code issuedAt} names, unless they were disabled, deleted
     * or signed out since. Roles and grants are read afresh, so a change applies at the next request.
     */
    @Transactional
    Optional<User> find(String username, Instant issuedAt) {
        Optional<UserAccount> account = UserService.account(username).filter(found -> !found.disabled)
                .filter(found -> found.sessionsValidAfter == null || issuedAt.isAfter(found.sessionsValidAfter));
        account.ifPresentOrElse(found -> known.account(UserService.toUser(found), found.passwordHash), () -> known.forgetAccount(username));
        return account.map(UserService::toUser);
    }
}
