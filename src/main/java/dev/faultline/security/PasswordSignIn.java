package dev.faultline.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.security.AuditRecord.Outcome;

/**
 * A password sign-in, through the browser's form or HTTP Basic, as someone guessing would meet it:
 * refused without the password being checked while {@link SignInThrottle} makes the name or the
 * address wait, even a password verified a moment ago; the same bcrypt cost whether the name exists
 * or not ({@link Passwords#matches}), except for a password that matched the same stored hash within
 * the minute ({@link VerifiedPasswords}); and
 * an audit entry ({@value #OPERATION}) for every failure and every sign-in through the form. A
 * successful HTTP Basic sign-in is not recorded: it happens on every API request, and the entries of
 * what the request changes name the caller already.
 */
@ApplicationScoped
class PasswordSignIn {

    static final String OPERATION = "user.signin";

    private final UserService users;
    private final KnownCredentials known;
    private final SignInThrottle throttle;
    private final AuditTrail audit;
    private final Clock clock;

    PasswordSignIn(UserService users, KnownCredentials known, SignInThrottle throttle, AuditTrail audit, Clock clock) {
        this.users = users;
        this.known = known;
        this.throttle = throttle;
        this.audit = audit;
        this.clock = clock;
    }

    /** The user whose password this is (as last known, while the database is away); fails when the attempt must wait. */
    Optional<User> signIn(SignInAttempt attempt, String password) {
        Instant at = clock.instant();
        SignInThrottle.Admission admission = throttle.admit(attempt.name(), attempt.address());
        if (admission.refused()) {
            SignInThrottledException refused = new SignInThrottledException(admission.delay(), attempt.via());
            if (admission.firstRefusal()) {
                record(attempt, at, refused.failure().status(), refused.getMessage() + "; until then further refusals are not recorded");
            }
            throw refused;
        }
        Optional<User> user = Optional.empty();
        try {
            user = KnownCredentials.orWhenAway(() -> users.authenticate(attempt.name(), password),
                    () -> known.password(attempt.name(), password));
        } finally {
            throttle.finish(admission, user.isPresent());
        }
        if (user.isEmpty()) {
            record(attempt, at, 401, "wrong user name or password");
        } else if (attempt.via() == Caller.Via.UI) {
            record(attempt, at, 200, null);
        }
        return user;
    }

    private void record(SignInAttempt attempt, Instant at, int status, String detail) {
        String name = attempt.recordedName();
        audit.append(new AuditRecord(null, at, name, attempt.via().key(), Identities.VIA_PASSWORD, OPERATION, attempt.method(),
                attempt.path(), UserService.target(name), status, Outcome.ofStatus(status), attempt.address(), detail));
    }
}
