package dev.faultline.security;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How hard password sign-in (the browser's form and HTTP Basic) makes guessing: how many failures
 * each key of {@link SignInThrottle} tolerates before it makes attempts wait, and for how long; and
 * how long a checked password spares the next requests a bcrypt ({@link VerifiedPasswords}).
 */
@ConfigMapping(prefix = "faultline.signin")
public interface SignInConfig {

    /** Failed sign-ins of one name from one address before the next one waits. */
    @WithDefault("5")
    int maxFailures();

    /** Failed sign-ins of one name from all addresses before addresses it never signed in from wait. */
    @WithDefault("20")
    int maxFailuresPerName();

    /** Names that failed to sign in from one address before names never signed in from there wait. */
    @WithDefault("20")
    int maxNamesPerAddress();

    /** The first wait; each further failure doubles it. */
    @WithDefault("PT1S")
    Duration backoffBase();

    /** The longest wait, however many failures. */
    @WithDefault("PT15M")
    Duration backoffMax();

    /** Failures are forgotten once this long has passed without another (and no wait is running). */
    @WithDefault("PT24H")
    Duration forgetAfter();

    /** How long a successful sign-in of a name from an address exempts that pair from the name's and the address's waits. */
    @WithDefault("P30D")
    Duration trustFor();

    /** Entries each table (names, addresses, name and address, trusted pairs) holds at most; the least recently used go first. */
    @WithDefault("10000")
    int maxEntries();

    /** Name and password pairs {@link VerifiedPasswords} holds at most; the least recently used go first. */
    @WithDefault("1000")
    int cacheSize();

    /** How long a password bcrypt confirmed is taken as verified without another check; PT0S checks every time. */
    @WithDefault("PT1M")
    Duration cacheTtl();
}
