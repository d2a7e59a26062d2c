package dev.faultline.security;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import io.quarkus.panache.common.Sort;

/** Users, their roles, namespace grants and passwords. */
@ApplicationScoped
@Transactional
public class UserService {

    private final Clock clock;

    UserService(Clock clock) {
        this.clock = clock;
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

    @Transactional(TxType.SUPPORTS)
    public Optional<User> find(String username) {
        return account(username).map(UserService::toUser);
    }

    @Transactional(TxType.SUPPORTS)
    public List<User> list() {
        return UserAccount.<UserAccount> listAll(Sort.by("username")).stream().map(UserService::toUser).toList();
    }

    /** The user when the password is theirs and the account is enabled. Runs off any request, so in its own transaction. */
    public Optional<User> authenticate(String username, String password) {
        return account(username)
                .filter(account -> !account.disabled)
                .filter(account -> Passwords.matches(password, account.passwordHash))
                .map(UserService::toUser);
    }

    public User update(String username, Optional<Set<Role>> roles, Optional<List<String>> namespaces,
            Optional<Boolean> disabled, Optional<String> password) {
        UserAccount account = account(username).orElseThrow(() -> notFound(username));
        roles.ifPresent(value -> account.roles = keys(value));
        namespaces.ifPresent(value -> account.namespaces = value.toArray(String[]::new));
        disabled.ifPresent(value -> account.disabled = value);
        password.ifPresent(value -> account.passwordHash = Passwords.hash(value));
        return toUser(account);
    }

    public void delete(String username) {
        if (UserAccount.delete("username", username) == 0) {
            throw notFound(username);
        }
    }

    private static Optional<UserAccount> account(String username) {
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
