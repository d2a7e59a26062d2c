package dev.faultline.security;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

/**
 * The Faultline user an identity provider's subject is. The link is the issuer and the subject, never
 * the name the provider gives: a provider's user who calls themselves {@code admin} is not
 * Faultline's admin. A first sign-in gets a new user with the default roles, under the given name, or
 * — when an account already holds that name — under the name with {@value #SUFFIX} added (then
 * {@code -sso2}, {@code -sso3}, ...): the person gets in, admins see by the name that it is not the
 * local account, and no roles pass from one to the other.
 */
@ApplicationScoped
@Transactional
class SingleSignOnAccounts {

    static final String ACTOR = "single sign-on";
    static final String SUFFIX = "-sso";
    private static final int MAX_SUFFIXES = 100;
    private static final Logger LOG = Logger.getLogger(SingleSignOnAccounts.class);

    private final UserService users;

    SingleSignOnAccounts(UserService users) {
        this.users = users;
    }

    /**
     * The user linked to {@code subject} of {@code issuer}, created with {@code roles} (and no
     * password, so no HTTP Basic) at their first sign-in. A user that single sign-on created before
     * users were linked (no link, no password) is linked to the first subject to sign in with its
     * name, as it would have been taken for it then. Empty when the name is not a valid user name or
     * no free name is left.
     */
    Optional<User> findOrCreate(String issuer, String subject, String name, Set<Role> roles) {
        Optional<UserAccount> linked = linked(issuer, subject);
        if (linked.isPresent()) {
            return linked.map(UserService::toUser);
        }
        if (name == null || !UserService.USERNAME.matcher(name).matches()) {
            return Optional.empty();
        }
        UserService.lockUsers();
        return linked(issuer, subject).or(() -> unlinked(name)).or(() -> created(name, roles))
                .map(account -> link(account, issuer, subject));
    }

    private static Optional<UserAccount> linked(String issuer, String subject) {
        return UserAccount.find("oidcIssuer = ?1 and oidcSubject = ?2", issuer, subject).firstResultOptional();
    }

    /** A user single sign-on created before users were linked: no link and no password. */
    private static Optional<UserAccount> unlinked(String name) {
        return UserService.account(name).filter(account -> account.oidcIssuer == null && account.passwordHash == null
                && ACTOR.equals(account.createdBy));
    }

    private Optional<UserAccount> created(String name, Set<Role> roles) {
        for (int i = 1; i <= MAX_SUFFIXES; i++) {
            String candidate = candidate(name, i);
            if (UserService.account(candidate).isEmpty()) {
                if (i > 1) {
                    LOG.infof("Single sign-on: the name %s is another account's; the new user is %s", name, candidate);
                }
                users.create(candidate, null, roles, List.of(), ACTOR);
                return UserService.account(candidate);
            }
        }
        LOG.warnf("Single sign-on: no free name left for %s; the sign-in is refused", name);
        return Optional.empty();
    }

    /** {@code name}, then {@code name-sso}, {@code name-sso2}, ...; shortened to stay a valid user name. */
    private static String candidate(String name, int attempt) {
        if (attempt == 1) {
            return name;
        }
        String suffix = SUFFIX + (attempt == 2 ? "" : String.valueOf(attempt - 1));
        return name.substring(0, Math.min(name.length(), 64 - suffix.length())) + suffix;
    }

    private static User link(UserAccount account, String issuer, String subject) {
        account.oidcIssuer = issuer;
        account.oidcSubject = subject;
        return UserService.toUser(account);
    }
}
