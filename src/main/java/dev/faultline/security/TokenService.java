package dev.faultline.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import dev.faultline.Cursor;
import dev.faultline.PageRequest;
import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceNotFoundException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;

/**
 * API tokens: {@code flt_<id>_<secret>}. Created by a user for themselves with a subset of their
 * roles and an expiry; the secret is returned once and stored as a SHA-256 digest.
 */
@ApplicationScoped
@Transactional
public class TokenService {

    public static final Duration MAX_LIFETIME = Duration.ofDays(366);
    /** Every API token starts with this; it tells them apart from other bearer tokens (JWTs). */
    public static final String PREFIX = "flt_";
    private static final Pattern FORMAT = Pattern.compile("flt_([A-Za-z0-9]{12})_([A-Za-z0-9]{32})");
    /** Last use is written at most this often per token, so busy pipelines do not write on every call. */
    private static final Duration LAST_USE_RESOLUTION = Duration.ofMinutes(1);

    private final Clock clock;
    private final UserService users;

    private final KnownCredentials known;

    private final AuditTrail audit;

    TokenService(Clock clock, UserService users, KnownCredentials known, AuditTrail audit) {
        this.audit = audit;
        this.clock = clock;
        this.users = users;
        this.known = known;
    }

    /** A new token for the caller, who signed in with a password; fails when it asks for a role the caller lacks. */
    @Transactional(TxType.NOT_SUPPORTED)
    public CreatedToken create(Caller caller, String name, Set<Role> roles, Instant expiresAt) {
        return audit.perform(caller, "token.create", "user/" + caller.name() + "/tokens/" + name, () -> {
            caller.require(Role.VIEWER);
            if (Identities.VIA_TOKEN.equals(caller.signedInWith())) {
                throw new PolicyDeniedException("a token cannot create tokens; sign in with your password");
            }
            return QuarkusTransaction.requiringNew().call(() -> create(caller.name(), caller.roles(), name, roles, expiresAt));
        });
    }

    /** The caller's own tokens; an admin may ask for another user's ({@code owner}), or everyone's ("*"). */
    @Transactional(TxType.SUPPORTS)
    public List<ApiToken> list(Caller caller, String owner) {
        return list(caller, owner, PageRequest.everything()).items();
    }

    /** A page of {@link #list(Caller, String)}: by owner, then creation, then id. */
    @Transactional(TxType.SUPPORTS)
    public PageRequest.Page<ApiToken> list(Caller caller, String owner, PageRequest page) {
        caller.require(Role.VIEWER);
        if (owner == null || owner.equals(caller.name())) {
            return list(Optional.of(caller.name()), page);
        }
        caller.require(Role.ADMIN);
        return list("*".equals(owner) ? Optional.empty() : Optional.of(owner), page);
    }

    /** Revokes a token: its owner, or an admin; revoking twice is harmless. */
    @Transactional(TxType.NOT_SUPPORTED)
    public ApiToken revoke(Caller caller, String id) {
        return audit.perform(caller, "token.revoke", "token/" + id, () -> QuarkusTransaction.requiringNew().call(() -> {
            caller.require(Role.VIEWER);
            ApiToken token = find(id).orElseThrow(() -> new ResourceNotFoundException("token " + id + " does not exist"));
            if (!token.owner().equals(caller.name())) {
                caller.require(Role.ADMIN);
            }
            return revoke(id);
        }));
    }

    /** A new token for {@code owner}; fails when it asks for a role the owner lacks. */
    public CreatedToken create(String owner, Set<Role> ownerRoles, String name, Set<Role> roles, Instant expiresAt) {
        Set<Role> beyond = EnumSet.noneOf(Role.class);
        beyond.addAll(roles);
        beyond.removeAll(Role.expand(ownerRoles));
        if (!beyond.isEmpty()) {
            throw new PolicyDeniedException("a token cannot have roles its owner lacks: "
                    + beyond.stream().map(Role::key).collect(Collectors.joining(", ")));
        }
        StoredToken token = new StoredToken();
        token.publicId = Passwords.generate(12);
        String secret = Passwords.generate(32);
        token.secretSha256 = sha256(secret);
        token.owner = owner;
        token.name = name;
        token.roles = roles.stream().sorted().map(Role::key).toArray(String[]::new);
        token.createdAt = clock.instant();
        token.expiresAt = expiresAt;
        token.persist();
        return new CreatedToken(toToken(token), PREFIX + token.publicId + "_" + secret);
    }

    @Transactional(TxType.SUPPORTS)
    public List<ApiToken> list(Optional<String> owner) {
        return list(owner, PageRequest.everything()).items();
    }

    private PageRequest.Page<ApiToken> list(Optional<String> owner, PageRequest page) {
        StringBuilder query = new StringBuilder("1 = 1");
        io.quarkus.panache.common.Parameters parameters = new io.quarkus.panache.common.Parameters();
        owner.ifPresent(name -> {
            query.append(" and owner = :owner");
            parameters.and("owner", name);
        });
        page.after().ifPresent(after -> {
            query.append(" and (owner > :afterOwner or (owner = :afterOwner and (createdAt > :afterAt"
                    + " or (createdAt = :afterAt and id > :afterId))))");
            parameters.and("afterOwner", after.text(0)).and("afterAt", after.instant(1)).and("afterId", after.number(2));
        });
        List<StoredToken> found = StoredToken.<StoredToken> find(query.toString(), Sort.by("owner").and("createdAt").and("id"), parameters)
                .page(0, page.fetch()).list();
        return page.cut(found, token -> Cursor.of(token.owner, token.createdAt, token.id), TokenService::toToken);
    }

    @Transactional(TxType.SUPPORTS)
    public Optional<ApiToken> find(String id) {
        return stored(id).map(TokenService::toToken);
    }

    /** Revokes a token; revoking twice is harmless. */
    public ApiToken revoke(String id) {
        known.forgetTokenById(id);
        StoredToken token = stored(id).orElseThrow(() -> new ResourceNotFoundException("token " + id + " does not exist"));
        if (token.revokedAt == null) {
            token.revokedAt = clock.instant();
        }
        return toToken(token);
    }

    /**
     * The owner and the roles a presented token grants now: the token's roles that its owner still
     * holds. Empty for a malformed, unknown, revoked or expired token, or a disabled owner.
     *
     * <p>Runs on every API request signed in with a token, so it costs one query, the token and its
     * owner together, outside any transaction; only when the last use recorded is older than {@link
     * #LAST_USE_RESOLUTION} does it write, in a transaction of its own.
     */
    @Transactional(TxType.SUPPORTS)
    @ActivateRequestContext
    public Optional<TokenIdentity> authenticate(String presented, String from) {
        Matcher matcher = FORMAT.matcher(presented);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String presentedSha256 = sha256(presented);
        Optional<Object[]> found = StoredToken.getEntityManager()
                .createQuery("select t, u from StoredToken t join UserAccount u on u.username = t.owner where t.publicId = ?1", Object[].class)
                .setParameter(1, matcher.group(1)).setMaxResults(1).getResultStream().findFirst();
        Optional<StoredToken> valid = found.map(row -> (StoredToken) row[0])
                .filter(token -> MessageDigest.isEqual(token.secretSha256.getBytes(StandardCharsets.US_ASCII),
                        sha256(matcher.group(2)).getBytes(StandardCharsets.US_ASCII)))
                .filter(token -> token.revokedAt == null && now.isBefore(token.expiresAt));
        Optional<TokenIdentity> identity = valid.flatMap(token -> Optional.of(UserService.toUser((UserAccount) found.get()[1]))
                .filter(owner -> !owner.disabled()).map(owner -> {
                    if (token.lastUsedAt == null || token.lastUsedAt.plus(LAST_USE_RESOLUTION).isBefore(now)) {
                        recordUse(token.id, now, from);
                    }
                    Set<Role> granted = Role.expand(roles(token.roles));
                    granted.retainAll(Role.expand(owner.roles()));
                    return new TokenIdentity(owner, granted);
                }));
        identity.ifPresentOrElse(owner -> known.token(presentedSha256, valid.get().publicId, owner, valid.get().expiresAt),
                () -> known.forgetToken(presentedSha256));
        return identity;
    }

    /** Notes the use; of requests that find the same stale note at once, the first writes and the others change nothing. */
    private static void recordUse(long tokenId, Instant now, String from) {
        QuarkusTransaction.requiringNew().run(() -> StoredToken.update(
                "lastUsedAt = ?1, lastUsedFrom = ?2 where id = ?3 and (lastUsedAt is null or lastUsedAt < ?4)",
                now, from, tokenId, now.minus(LAST_USE_RESOLUTION)));
    }

    /** Who a presented token signed in last while the database does not answer (see {@link KnownCredentials}). */
    Optional<TokenIdentity> lastKnown(String presented) {
        return known.token(sha256(presented));
    }

    private static Optional<StoredToken> stored(String id) {
        return StoredToken.find("publicId", id).firstResultOptional();
    }

    private static ApiToken toToken(StoredToken token) {
        return new ApiToken(token.publicId, token.name, token.owner, roles(token.roles), token.createdAt, token.expiresAt,
                token.revokedAt, token.lastUsedAt, token.lastUsedFrom);
    }

    private static Set<Role> roles(String[] keys) {
        return Role.parse(List.of(keys));
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token just created: the only time its secret is available. */
    public record CreatedToken(ApiToken token, String secret) {
    }

    /** Who a token signs in as, and with which roles. */
    public record TokenIdentity(User owner, Set<Role> roles) {
    }
}
