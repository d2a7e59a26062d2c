package dev.faultline.security;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import dev.faultline.PageRequest;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;

/** Users, their roles, namespace grants and passwords. */
@ApplicationScoped
@Transactional
public class UserService {

    /** Letters, digits, '.', '_', '@', '-'; 1 to 64, starting with a letter or digit (e-mail addresses fit). */
    public static final java.util.regex.Pattern USERNAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    /** What a user name must be, for error messages on the field {@code username}. */
    public static final String USERNAME_RULE = "must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit";
    /** The error on the field {@code roles} when a user would have none. */
    public static final String NO_ROLE = "give at least one of viewer, experimenter, approver, admin";

    private final Clock clock;
    private final KnownCredentials known;
    private final AuditTrail audit;
    private final VerifiedPasswords verified;

    UserService(Clock clock, KnownCredentials known, AuditTrail audit, VerifiedPasswords verified) {
        this.clock = clock;
        this.known = known;
        this.audit = audit;
        this.verified = verified;
    }

    /** Creates a user: admins. */
    @Transactional(TxType.NOT_SUPPORTED)
    public User create(Caller caller, String username, String password, Set<Role> roles, List<String> namespaces) {
        return audit.perform(caller, "user.create", target(username), () -> {
            caller.require(Role.ADMIN);
            return QuarkusTransaction.requiringNew().call(() -> create(username, password, roles, namespaces, caller.name()));
        });
    }

    /** Changes what is present: admins. */
    @Transactional(TxType.NOT_SUPPORTED)
    public User update(Caller caller, String username, Optional<Set<Role>> roles, Optional<List<String>> namespaces,
            Optional<Boolean> disabled, Optional<String> password) {
        return audit.perform(caller, "user.update", target(username), () -> {
            caller.require(Role.ADMIN);
            return QuarkusTransaction.requiringNew().call(() -> update(username, roles, namespaces, disabled, password));
        });
    }

    /** Deletes a user and their tokens: admins. */
    @Transactional(TxType.NOT_SUPPORTED)
    public void delete(Caller caller, String username) {
        audit.perform(caller, "user.delete", target(username), () -> {
            caller.require(Role.ADMIN);
            QuarkusTransaction.requiringNew().run(() -> delete(username));
        });
    }

    /** Changes the caller's own password, given the present one; not with an API token. */
    @Transactional(TxType.NOT_SUPPORTED)
    public boolean changePassword(Caller caller, String current, String replacement) {
        return audit.perform(caller, "user.password.change", target(caller.name()), () -> {
            if (Identities.VIA_TOKEN.equals(caller.signedInWith())) {
                throw new dev.faultline.PolicyDeniedException("an API token cannot change a password; sign in with the password");
            }
            if (current == null) {
                throw new InvalidDocumentException(List.of(new FieldError("currentPassword", "is required")));
            }
            Passwords.problem(replacement).ifPresent(problem -> {
                throw new InvalidDocumentException(List.of(new FieldError("newPassword", problem)));
            });
            if (!QuarkusTransaction.requiringNew().call(() -> changePassword(caller.name(), current, replacement))) {
                throw new InvalidDocumentException(List.of(new FieldError("currentPassword", "is not your current password")));
            }
            return true;
        });
    }

    /** How the audit log names a user. */
    public static String target(String username) {
        return "user/" + username;
    }

    public User create(String username, String password, Set<Role> roles, List<String> namespaces, String actor) {
        if (UserAccount.count("username", username) > 0) {
            throw new ResourceConflictException("user " + username + " already exists");
        }
        UserAccount account = new UserAccount();
        account.username = username;
        account.passwordHash = password == null ? null : Passwords.hash(password);
        account.roles = keys(roles);
        account.namespaces = namespaces.toArray(String[]::new);
        account.createdAt = clock.instant();
        account.createdBy = actor;
        account.persist();
        return toUser(account);
    }

    /** What {@link #createFirstAdmin} did. */
    public enum FirstAdmin {
        CREATED,
        /** An enabled admin exists: nothing to do. */
        NOT_NEEDED,
        /** No enabled admin exists, but the name is taken by an account that is not one: nothing was changed. */
        NAME_TAKEN
    }

    /**
     * Creates {@code username} as an admin of every namespace when Faultline has no enabled admin at
     * all. Not merely when no user of that name exists: an admin who was deleted on purpose while
     * another admin remains must stay deleted. Replicas starting together create one admin: the check
     * and the creation hold the users' lock.
     */
    public FirstAdmin createFirstAdmin(String username, String password) {
        lockUsers();
        if (UserAccount.count("disabled = false and array_contains(roles, ?1)", Role.ADMIN.key()) > 0) {
            return FirstAdmin.NOT_NEEDED;
        }
        if (account(username).isPresent()) {
            return FirstAdmin.NAME_TAKEN;
        }
        create(username, password, Set.of(Role.ADMIN), List.of("*"), "faultline");
        return FirstAdmin.CREATED;
    }

    @Transactional(TxType.SUPPORTS)
    public Optional<User> find(String username) {
        return account(username).map(UserService::toUser);
    }

    @Transactional(TxType.SUPPORTS)
    public List<User> list() {
        return list(PageRequest.everything()).items();
    }

    /** A page of the users, by username. */
    @Transactional(TxType.SUPPORTS)
    public PageRequest.Page<User> list(PageRequest page) {
        List<UserAccount> found = UserAccount.<UserAccount> find("username > ?1", Sort.by("username"), page.afterName())
                .page(0, page.fetch()).list();
        return page.cutByName(found, account -> account.username, UserService::toUser);
    }

    /**
     * The user when the password is theirs and the account is enabled. Runs off any request (in a
     * request context of its own when it has none) and only reads: one query, outside any transaction,
     * so that no connection is held while bcrypt works. A password is checked (at bcrypt's cost) even for a name that is unknown,
     * disabled or without a password, so that how long a refusal takes does not tell them apart; only
     * a password that matched this very hash a moment ago is taken without one ({@link VerifiedPasswords}).
     */
    @Transactional(TxType.SUPPORTS)
    @ActivateRequestContext
    public Optional<User> authenticate(String username, String password) {
        Optional<UserAccount> account = account(username).filter(found -> !found.disabled);
        account.ifPresentOrElse(found -> known.account(toUser(found), found.passwordHash), () -> known.forgetAccount(username));
        boolean matches = verified.matches(username, password, account.map(found -> found.passwordHash).orElse(null));
        return account.filter(found -> matches).map(UserService::toUser);
    }

    /** Changes what is present. Refuses to leave Faultline without an enabled admin. */
    public User update(String username, Optional<Set<Role>> roles, Optional<List<String>> namespaces,
            Optional<Boolean> disabled, Optional<String> password) {
        known.forgetAccount(username);
        UserAccount account = lockedAccount(username);
        boolean wasAdmin = isEnabledAdmin(account);
        roles.ifPresent(value -> account.roles = keys(value));
        namespaces.ifPresent(value -> account.namespaces = value.toArray(String[]::new));
        disabled.ifPresent(value -> account.disabled = value);
        password.ifPresent(value -> account.passwordHash = Passwords.hash(value));
        if (wasAdmin && !isEnabledAdmin(account)) {
            requireAnotherAdmin(account);
        }
        return toUser(account);
    }

    /** Sets a new password when {@code current} is the user's present one; false (and nothing changed) otherwise. */
    boolean changePassword(String username, String current, String replacement) {
        known.forgetAccount(username);
        UserAccount account = lockedAccount(username);
        if (!Passwords.matches(current, account.passwordHash)) {
            return false;
        }
        account.passwordHash = Passwords.hash(replacement);
        return true;
    }

    public void delete(String username) {
        known.forgetAccount(username);
        UserAccount account = lockedAccount(username);
        if (isEnabledAdmin(account)) {
            requireAnotherAdmin(account);
        }
        account.delete();
    }

    /**
     * The account, with every other change to users held off until this transaction ends: changes are
     * rare, and serialising them keeps two concurrent ones from removing the last two admins. Sign-ins
     * only read, so they are not held up.
     */
    private static UserAccount lockedAccount(String username) {
        lockUsers();
        return account(username).orElseThrow(() -> notFound(username));
    }

    /** Holds off every other change to users until this transaction ends (see {@link #lockedAccount}). */
    static void lockUsers() {
        UserAccount.getEntityManager().createNativeQuery("lock table app_user in share row exclusive mode").executeUpdate();
    }

    private static boolean isEnabledAdmin(UserAccount account) {
        return !account.disabled && List.of(account.roles).contains(Role.ADMIN.key());
    }

    private static void requireAnotherAdmin(UserAccount account) {
        long others = UserAccount.count("username <> ?1 and disabled = false and array_contains(roles, ?2)", account.username,
                Role.ADMIN.key());
        if (others == 0) {
            throw new ResourceConflictException(account.username
                    + " is the last enabled admin; make another user admin first, so Faultline keeps someone who can manage it");
        }
    }

    static Optional<UserAccount> account(String username) {
        return UserAccount.find("username", username).firstResultOptional();
    }

    private static String[] keys(Set<Role> roles) {
        return roles.stream().sorted().map(Role::key).toArray(String[]::new);
    }

    static User toUser(UserAccount account) {
        return new User(account.username, Role.parse(List.of(account.roles)), List.of(account.namespaces), account.disabled, account.createdAt,
                account.createdBy);
    }

    private static ResourceNotFoundException notFound(String username) {
        return new ResourceNotFoundException("user " + username + " does not exist");
    }
}
