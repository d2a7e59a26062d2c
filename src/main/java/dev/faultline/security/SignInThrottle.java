package dev.faultline.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Makes guessing passwords slow without handing a guesser a way to lock someone out. Failed
 * password sign-ins are counted under three keys, each with its own limit ({@link SignInConfig}):
 * <ul>
 * <li>one name from one address: past the limit, that pair waits (the base wait, doubled per further
 * failure, up to the maximum). This stops hammering one account, and touches neither the same name
 * from elsewhere nor other names from the same address;</li>
 * <li>one name from all addresses: stops one account being guessed from many addresses;</li>
 * <li>the names that failed from one address (an IPv6 address counts by its /64): stops a spray of
 * likely passwords over many names from one address.</li>
 * </ul>
 * A name that signed in from an address recently is exempt there from the last two, so a guesser
 * elsewhere can make its owner wait only at addresses the owner never signed in from, and by at most
 * the maximum wait per attempt actually checked. A refused attempt is not checked and counts for
 * nothing, so hammering a waiting key does not lengthen its wait; an attempt being checked counts
 * until it ends, so parallel guesses cannot slip in past the limit before their failures are known
 * (only a pair that signed in before may have more checked at once, as a script's parallel calls
 * are). A success clears its pair, not the name's or the address's count: one valid account of his
 * own must not let a guesser clear his spray.
 *
 * <p>The counts are kept in memory, per replica (a guesser spreading over N replicas gets up to N
 * times the attempts), in tables of bounded size that drop the least recently used entry first.
 */
@ApplicationScoped
class SignInThrottle {

    /** What {@link #admit} decided. A refused attempt (a delay to wait) is over; an admitted one must be {@link #finish finished}. */
    record Admission(String pair, String name, String address, boolean newForAddress, Duration delay, boolean firstRefusal) {

        boolean refused() {
            return !delay.isZero();
        }
    }

    /** The failures of one key, and its attempts being checked right now. */
    private static final class Failures {
        int failed;
        int checking;
        Instant last;
        Instant until;
        boolean refusalNoted;
    }

    /** Stands for every name that cannot be a user's: they share one count, and none can sign in anyway. */
    private static final String NOT_A_NAME = "\0";

    private final Clock clock;
    private final SignInConfig config;
    private final Map<String, Failures> pairs;
    private final Map<String, Failures> names;
    private final Map<String, Failures> addresses;
    /** Name-from-address pairs that signed in, with when they last did. */
    private final Map<String, Instant> trusted;

    SignInThrottle(Clock clock, SignInConfig config) {
        this.clock = clock;
        this.config = config;
        this.pairs = table(config.maxEntries());
        this.names = table(config.maxEntries());
        this.addresses = table(config.maxEntries());
        this.trusted = table(config.maxEntries());
    }

    /**
     * Whether {@code name} may try a password from {@code address} now. When it may, the attempt counts
     * as being checked until {@link #finish}; when it must wait, {@code firstRefusal} says whether this
     * is the first refusal of that wait (the one worth recording).
     */
    synchronized Admission admit(String name, String address) {
        Instant now = clock.instant();
        String nameKey = name != null && UserService.USERNAME.matcher(name).matches() ? name : NOT_A_NAME;
        String addressKey = network(address);
        String pairKey = nameKey + " from " + addressKey;
        Failures pair = live(pairs, pairKey, now);
        boolean exempt = isTrusted(pairKey, now);
        Failures blocking = pair;
        Instant until = blockedUntil(pair, config.maxFailures(), !exempt, now);
        if (!exempt) {
            Failures byName = live(names, nameKey, now);
            Instant nameUntil = blockedUntil(byName, config.maxFailuresPerName(), true, now);
            if (nameUntil != null && (until == null || nameUntil.isAfter(until))) {
                blocking = byName;
                until = nameUntil;
            }
            Failures byAddress = live(addresses, addressKey, now);
            Instant addressUntil = blockedUntil(byAddress, config.maxNamesPerAddress(), true, now);
            if (addressUntil != null && (until == null || addressUntil.isAfter(until))) {
                blocking = byAddress;
                until = addressUntil;
            }
        }
        if (until != null) {
            boolean first = !blocking.refusalNoted;
            blocking.refusalNoted = true;
            return new Admission(pairKey, nameKey, addressKey, false, Duration.between(now, until), first);
        }
        boolean newForAddress = pair == null || pair.failed == 0;
        checking(pairs, pairKey);
        checking(names, nameKey);
        if (newForAddress) {
            checking(addresses, addressKey);
        }
        return new Admission(pairKey, nameKey, addressKey, newForAddress, Duration.ZERO, false);
    }

    /** Ends an admitted attempt: a success clears its pair and trusts it; a failure counts under every key it was checked for. */
    synchronized void finish(Admission admission, boolean succeeded) {
        Instant now = clock.instant();
        if (succeeded) {
            trusted.put(admission.pair(), now);
            ended(pairs, admission.pair(), true);
            ended(names, admission.name(), false);
            if (admission.newForAddress()) {
                ended(addresses, admission.address(), false);
            }
            return;
        }
        failed(pairs, admission.pair(), config.maxFailures(), now);
        failed(names, admission.name(), config.maxFailuresPerName(), now);
        if (admission.newForAddress()) {
            failed(addresses, admission.address(), config.maxNamesPerAddress(), now);
        }
    }

    /**
     * Until when {@code failures} make attempts wait, or null when they do not. When the attempts being
     * checked could reach the limit, the next waits for their outcome: always when {@code strict}, else
     * only once there are failures (a trusted pair's parallel calls, all likely right, are let through).
     */
    private Instant blockedUntil(Failures failures, int limit, boolean strict, Instant now) {
        if (failures == null) {
            return null;
        }
        if (failures.failed >= limit && failures.until != null && now.isBefore(failures.until)) {
            return failures.until;
        }
        boolean couldReach = failures.checking > 0 && failures.failed + failures.checking >= limit;
        return couldReach && (strict || failures.failed > 0) ? now.plus(config.backoffBase()) : null;
    }

    private static void checking(Map<String, Failures> table, String key) {
        table.computeIfAbsent(key, absent -> new Failures()).checking++;
    }

    private void failed(Map<String, Failures> table, String key, int limit, Instant now) {
        Failures failures = table.get(key);
        if (failures == null) {
            failures = new Failures();
            table.put(key, failures);
        } else if (failures.checking > 0) {
            failures.checking--;
        }
        failures.failed++;
        failures.last = now;
        if (failures.failed >= limit) {
            failures.until = now.plus(backoff(failures.failed - limit));
            failures.refusalNoted = false;
        }
    }

    /** A success: {@code clear} forgets the key's failures; either way an idle key without failures goes. */
    private static void ended(Map<String, Failures> table, String key, boolean clear) {
        Failures failures = table.get(key);
        if (failures == null) {
            return;
        }
        if (failures.checking > 0) {
            failures.checking--;
        }
        if (clear) {
            failures.failed = 0;
            failures.until = null;
        }
        if (failures.failed == 0 && failures.checking == 0) {
            table.remove(key);
        }
    }

    /** The key's failures, unless they are old enough to be forgotten (then it goes). */
    private Failures live(Map<String, Failures> table, String key, Instant now) {
        Failures failures = table.get(key);
        if (failures != null && failures.checking == 0 && failures.last != null
                && failures.last.plus(config.forgetAfter()).isBefore(now)
                && (failures.until == null || failures.until.isBefore(now))) {
            table.remove(key);
            return null;
        }
        return failures;
    }

    private boolean isTrusted(String pairKey, Instant now) {
        Instant signedIn = trusted.get(pairKey);
        return signedIn != null && now.isBefore(signedIn.plus(config.trustFor()));
    }

    /** The base wait doubled {@code beyond} times, at most the maximum. */
    private Duration backoff(int beyond) {
        Duration wait = config.backoffBase();
        for (int i = 0; i < beyond && wait.compareTo(config.backoffMax()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(config.backoffMax()) > 0 ? config.backoffMax() : wait;
    }

    /** The address as counted: an IPv4 address itself, an IPv6 one by its /64, which one holder usually has whole. */
    static String network(String address) {
        if (address == null) {
            return "unknown";
        }
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress(); // a literal: no lookup
            return bytes.length == 16 ? HexFormat.of().formatHex(bytes, 0, 8) + "::/64" : InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    /** A table of at most {@code maxEntries} that drops the least recently used entry first. */
    static <V> Map<String, V> table(int maxEntries) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxEntries;
            }
        };
    }
}
