package dev.hsmca.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * When to renew and how to retry: at a fraction of the lifetime (2/3 by default) or a fixed time before expiry,
 * moved earlier by random jitter so a fleet does not renew in one second; inside the window the CA announces, when
 * it announces one, at once when it says so. Failures back off exponentially, capped; the CA is polled for its
 * window every {@code pollInterval} (with jitter).
 *
 * @param fraction     renew when this fraction of the lifetime has passed (ignored when {@code before} is set)
 * @param before       renew this long before expiry instead (null: use the fraction)
 * @param jitter       up to this share of the lifetime earlier (0.05 = 5 %)
 * @param pollInterval how often to ask the CA for its window
 * @param backoffBase  first retry delay after a failure
 * @param backoffCap   longest retry delay
 */
public record RenewalPolicy(
        double fraction,
        Duration before,
        double jitter,
        Duration pollInterval,
        Duration backoffBase,
        Duration backoffCap) {

    public static RenewalPolicy defaults() {
        return new RenewalPolicy(
                2.0 / 3, null, 0.05, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    public RenewalPolicy {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("renewal fraction must be between 0 and 1, not " + fraction);
        }
        if (jitter < 0 || jitter >= fraction) {
            throw new IllegalArgumentException("jitter must be at least 0 and below the fraction");
        }
        if (pollInterval == null
                || pollInterval.isNegative()
                || pollInterval.isZero()
                || backoffBase == null
                || backoffBase.isNegative()
                || backoffBase.isZero()
                || backoffCap == null
                || backoffCap.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("poll interval and backoff must be positive, the cap at least the base");
        }
    }

    public RenewalPolicy withFraction(double f) {
        return new RenewalPolicy(f, null, Math.min(jitter, f / 2), pollInterval, backoffBase, backoffCap);
    }

    public RenewalPolicy withBefore(Duration d) {
        return new RenewalPolicy(fraction, d, jitter, pollInterval, backoffBase, backoffCap);
    }

    public RenewalPolicy withPollInterval(Duration d) {
        return new RenewalPolicy(fraction, before, jitter, d, backoffBase, backoffCap);
    }

    public RenewalPolicy withBackoff(Duration base, Duration cap) {
        return new RenewalPolicy(fraction, before, jitter, pollInterval, base, cap);
    }

    /**
     * The moment this client's own policy says to renew, jitter included (stable for one certificate). A fixed time
     * before expiry never makes it due before half the lifetime: a threshold as long as a short-lived certificate
     * lives would otherwise renew on every check.
     */
    public Instant due(Credentials c) {
        Duration life = c.lifetime();
        Random r = new Random(c.serialNumber().longValue());
        if (before != null) {
            Instant at = c.notAfter().minus(before);
            Instant half = c.notBefore().plus(life.dividedBy(2));
            return at.isBefore(half) ? half : at;
        }
        return c.notBefore().plus(scale(life, fraction)).minus(scale(life, jitter * r.nextDouble()));
    }

    /** The moment to renew given the CA's window too: whichever comes first; inside the window at a random point. */
    public Instant due(Credentials c, Instant windowStart, Instant windowEnd) {
        Instant own = due(c);
        if (windowStart == null) {
            return own;
        }
        Instant end = windowEnd == null || windowEnd.isBefore(windowStart) ? windowStart : windowEnd;
        Random r = new Random(c.serialNumber().longValue() ^ windowStart.toEpochMilli());
        Instant inWindow = windowStart.plus(scale(Duration.between(windowStart, end), r.nextDouble() * 0.5));
        return inWindow.isBefore(own) ? inWindow : own;
    }

    /** The delay before retry {@code attempt} (1, 2, ...): base × 2^(attempt-1), capped, with up to 20 % jitter. */
    public Duration backoff(int attempt, Random random) {
        Duration d = backoffBase;
        for (int i = 1; i < attempt && d.compareTo(backoffCap) < 0; i++) {
            d = d.multipliedBy(2);
        }
        if (d.compareTo(backoffCap) > 0) {
            d = backoffCap;
        }
        return d.minus(scale(d, 0.2 * random.nextDouble()));
    }

    /**
     * The delay before retry {@code attempt} of a certificate with {@code left} before it expires: the backoff, but
     * at most a quarter of what is left (at least a second), so a certificate of minutes gets several tries.
     */
    public Duration retryDelay(int attempt, Random random, Duration left) {
        Duration d = backoff(attempt, random);
        Duration quarter = left.dividedBy(4);
        Duration bound = quarter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : quarter;
        return d.compareTo(bound) > 0 ? bound : d;
    }

    /** The next poll: the interval minus up to 20 % jitter. */
    public Duration nextPoll(Random random) {
        return pollInterval.minus(scale(pollInterval, 0.2 * random.nextDouble()));
    }

    /** The next poll for a certificate of this lifetime: at least ten polls in its life (and at most one a second). */
    public Duration nextPoll(Random random, Duration lifetime) {
        Duration tenth = lifetime.dividedBy(10);
        Duration cap = tenth.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tenth;
        Duration d = nextPoll(random);
        return d.compareTo(cap) > 0 ? cap : d;
    }

    static Duration scale(Duration d, double factor) {
        return Duration.ofMillis((long) (d.toMillis() * factor));
    }
}
