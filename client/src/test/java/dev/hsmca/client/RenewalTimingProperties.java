package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The renewal timing holds for every lifetime from 5 minutes (the short-lived profile's floor) to 400 days: a renewal
 * is due after half the lifetime and before expiry whatever threshold is set, a retry never waits past a quarter of
 * what is left, and the CA is polled at least ten times in a certificate's life.
 */
class RenewalTimingProperties {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final KeyPair PAIR = KeyType.EC_P256.generate();

    static Credentials credentials(Duration life, long serial) throws Exception {
        X509Certificate c = TestCertificates.selfSigned(PAIR, T0, T0.plus(life), BigInteger.valueOf(serial));
        return new Credentials(PAIR.getPrivate(), c, List.of());
    }

    @Property(tries = 300)
    void dueAfterHalfTheLifetimeAndBeforeExpiry(
            @ForAll @LongRange(min = 300, max = 400L * 86400) long lifeSeconds,
            @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long serial,
            @ForAll @LongRange(min = 0, max = 60L * 86400) long beforeSeconds)
            throws Exception {
        Duration life = Duration.ofSeconds(lifeSeconds);
        Credentials c = credentials(life, serial);
        RenewalPolicy policy = beforeSeconds == 0
                ? RenewalPolicy.defaults()
                : RenewalPolicy.defaults().withBefore(Duration.ofSeconds(beforeSeconds));
        Instant due = policy.due(c);
        Instant half = c.notBefore().plus(life.dividedBy(2));
        assertTrue(!due.isBefore(half.minusMillis(1)), "due " + due + " before half of " + life);
        assertTrue(due.isBefore(c.notAfter()), "due " + due + " at or after expiry, " + life);
    }

    @Property(tries = 300)
    void retriesFitInWhatIsLeftAndPollsInTheLifetime(
            @ForAll @LongRange(min = 300, max = 400L * 86400) long lifeSeconds,
            @ForAll @LongRange(min = 0, max = 400L * 86400) long leftSeconds,
            @ForAll @IntRange(min = 1, max = 40) int attempt,
            @ForAll long seed) {
        RenewalPolicy policy = RenewalPolicy.defaults();
        Random random = new Random(seed);
        Duration left = Duration.ofSeconds(Math.min(leftSeconds, lifeSeconds));
        Duration retry = policy.retryDelay(attempt, random, left);
        Duration quarter = left.dividedBy(4);
        assertTrue(retry.compareTo(Duration.ZERO) > 0, "a retry waits");
        assertTrue(
                retry.compareTo(quarter) <= 0 || retry.compareTo(Duration.ofSeconds(1)) <= 0,
                retry + " with " + left + " left");
        Duration life = Duration.ofSeconds(lifeSeconds);
        Duration poll = policy.nextPoll(random, life);
        assertTrue(
                poll.compareTo(life.dividedBy(10)) <= 0 || poll.compareTo(Duration.ofSeconds(1)) <= 0,
                poll + " for " + life);
    }
}
