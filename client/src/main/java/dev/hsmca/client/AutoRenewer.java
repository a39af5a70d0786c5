package dev.hsmca.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The background loop: polls the CA for its renewal window (cheap, conditional), renews when due, backs off while
 * the CA is unreachable, logs loudly as expiry nears, and stops for good on a revoked or expired certificate.
 */
final class AutoRenewer {
    private static final System.Logger LOG = PkiClient.LOG;

    private final PkiClient client;
    private final RenewalPolicy policy;
    private final Clock clock;
    private final List<RenewalListener> listeners;
    private final Random random;
    private final Scheduler scheduler;
    private volatile boolean running;
    private String etag;
    private Instant windowStart;
    private Instant windowEnd;
    private String windowFor;
    private boolean renewNow;
    private Instant nextPoll = Instant.EPOCH;
    private int failures;

    /** Where the rounds run: one daemon thread in use; a test runs them by hand. */
    interface Scheduler {
        void schedule(Runnable round, Duration delay);

        void shutdown();

        static Scheduler daemon() {
            ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pki-auto-renewal");
                t.setDaemon(true);
                return t;
            });
            return new Scheduler() {
                @Override
                public void schedule(Runnable round, Duration delay) {
                    // a round catches its own failures (it backs off and reschedules): the future carries nothing
                    var unused = executor.schedule(round, delay.toMillis(), TimeUnit.MILLISECONDS);
                }

                @Override
                public void shutdown() {
                    executor.shutdownNow();
                }
            };
        }
    }

    AutoRenewer(PkiClient client, RenewalPolicy policy, Clock clock, List<RenewalListener> listeners) {
        this(client, policy, clock, listeners, new Random(), Scheduler.daemon());
    }

    AutoRenewer(
            PkiClient client,
            RenewalPolicy policy,
            Clock clock,
            List<RenewalListener> listeners,
            Random random,
            Scheduler scheduler) {
        this.client = client;
        this.policy = policy;
        this.clock = clock;
        this.listeners = listeners;
        this.random = random;
        this.scheduler = scheduler;
    }

    void start() {
        running = true;
        scheduler.schedule(this::tick, Duration.ZERO);
    }

    void stop() {
        running = false;
        scheduler.shutdown();
    }

    boolean running() {
        return running;
    }

    void tick() {
        if (!running) {
            return;
        }
        Duration wait;
        try {
            wait = step();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "auto-renewal: unexpected failure: " + e);
            wait = policy.backoff(++failures, random);
        }
        if (running && wait != null) {
            scheduler.schedule(this::tick, wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    /** One round; the delay until the next, or null to stop. */
    Duration step() {
        Credentials c = client.credentials();
        Instant now = clock.instant();
        if (!now.isBefore(nextPoll)) {
            try {
                poll(c);
            } catch (PkiClientException e) {
                if (isFinal(e, c)) {
                    return null;
                }
                LOG.log(System.Logger.Level.DEBUG, "auto-renewal: cannot read the renewal window: " + e.getMessage());
            }
            nextPoll = now.plus(policy.nextPoll(random, c.lifetime()));
        }
        Instant due = renewNow ? now : policy.due(c, windowStart, windowEnd);
        if (now.isBefore(due)) {
            failures = 0;
            return min(Duration.between(now, due), Duration.between(now, nextPoll));
        }
        try {
            client.renew();
            failures = 0;
            renewNow = false;
            windowStart = null;
            windowEnd = null;
            etag = null;
            nextPoll = clock.instant();
            return Duration.ZERO;
        } catch (PkiClientException e) {
            if (isFinal(e, c)) {
                return null;
            }
            failures++;
            Duration left = Duration.between(clock.instant(), c.notAfter());
            Duration retry = policy.retryDelay(failures, random, left);
            boolean urgent = left.compareTo(c.lifetime().dividedBy(10)) < 0 || left.compareTo(Duration.ofHours(1)) < 0;
            LOG.log(
                    urgent ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                    "auto-renewal of {0} failed (attempt {1}; {2} left before it expires; retrying in {3} s): {4}",
                    c.serial(),
                    failures,
                    left,
                    retry.toSeconds(),
                    e.getMessage());
            listeners.forEach(l -> l.failed(e, c));
            return retry;
        }
    }

    private void poll(Credentials c) {
        if (!c.serial().equals(windowFor)) {
            etag = null;
            windowFor = c.serial();
        }
        client.status(etag).ifPresent(s -> {
            etag = s.etag();
            windowStart = s.renewAfter();
            windowEnd = s.renewBefore();
            renewNow = s.renewNow();
        });
    }

    /** Revoked or expired: renewal cannot help; say so once and stop. */
    private boolean isFinal(PkiClientException e, Credentials c) {
        if (e.kind() == PkiClientException.Kind.REVOKED) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "certificate {0} is REVOKED; it cannot renew itself: enroll again",
                    c.serial());
            listeners.forEach(l -> l.revoked(c));
            running = false;
            return true;
        }
        if (e.kind() == PkiClientException.Kind.EXPIRED) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "certificate {0} EXPIRED before it could be renewed: enroll again",
                    c.serial());
            listeners.forEach(l -> l.failed(e, c));
            running = false;
            return true;
        }
        return false;
    }

    private static Duration min(Duration a, Duration b) {
        Duration m = a.compareTo(b) < 0 ? a : b;
        return m.isNegative() ? Duration.ZERO : m;
    }
}
