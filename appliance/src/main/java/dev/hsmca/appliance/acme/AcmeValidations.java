package dev.hsmca.appliance.acme;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs challenge validations after the client's "go" has been answered (the challenge is then {@code processing};
 * clients poll). Threads of its own, shared fairly between accounts ({@link ValidationQueue}); a validation waits
 * on the network, never on a request thread. Each one is claimed in the database first; what finds no room is
 * given back and, like a challenge a stopped replica left processing, taken up by the next resume pass.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
public class AcmeValidations {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeValidations.class);
    /** Time past the deadline before another replica may take a running validation over. */
    private static final Duration SLACK = Duration.ofSeconds(30);

    private final AcmeValidator validator;
    private final AcmeOrders orders;
    private final AcmeValidationClaims claims;
    private final AcmeValidationConfig config;
    private final ExecutorService pool;
    private final ValidationQueue queue;

    public AcmeValidations(
            AcmeValidator validator, AcmeOrders orders, AcmeValidationClaims claims, AcmeValidationConfig config) {
        this.validator = validator;
        this.orders = orders;
        this.claims = claims;
        this.config = config;
        this.pool = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "acme-validation");
            t.setDaemon(true);
            return t;
        });
        this.queue = new ValidationQueue(
                pool, config.threads(), config.runningPerAccount(), config.queuedPerAccount(), config.queuedTotal());
    }

    /** A challenge this request moved to processing. */
    public void start(AcmeOrders.Started s) {
        try {
            submit(s);
        } catch (RuntimeException e) {
            // the store failed after the challenge was started: the resume pass takes it up
            LOG.warn(
                    "could not queue the {} validation of {}: {}",
                    s.challenge().type(),
                    s.authorization().identifier(),
                    e.toString());
        }
    }

    /** True when queued here; false when another replica holds it or there was no room (then deferred). */
    boolean submit(AcmeOrders.Started s) {
        String id = s.challenge().id();
        if (queue.holds(id)) {
            return false;
        }
        // covers the wait for a thread too; a queue longer than that lets another replica take the work over
        Duration queuedLease = config.deadline().multipliedBy(2).plus(SLACK);
        Optional<String> claim = claims.claim(id, queuedLease);
        if (claim.isEmpty()) {
            return false;
        }
        ValidationQueue.Admission a =
                queue.offer(new ValidationQueue.Job(id, s.authorization().accountId(), () -> run(s, claim.get())));
        if (a != ValidationQueue.Admission.QUEUED) {
            claims.release(id, claim.get());
            LOG.info(
                    "ACME validation of {} for account {} deferred: no room (pki.acme.validation.queued-*)",
                    s.authorization().identifier(),
                    s.authorization().accountId());
            return false;
        }
        return true;
    }

    private void run(AcmeOrders.Started s, String claim) {
        try {
            if (!claims.renew(s.challenge().id(), claim, config.deadline().plus(SLACK))) {
                return; // settled meanwhile, or another replica took it over
            }
        } catch (RuntimeException e) {
            LOG.warn(
                    "could not claim the {} validation of {}: {}",
                    s.challenge().type(),
                    s.authorization().identifier(),
                    e.toString());
            return; // the claim lapses; the resume pass takes it up
        }
        AcmeValidator.Result result;
        try {
            result = validator.validate(
                    s.challenge().type(),
                    s.authorization().identifier(),
                    s.challenge().token(),
                    s.thumbprint());
        } catch (RuntimeException e) {
            result = AcmeValidator.Result.fail(
                    "serverInternal", "validation failed: " + e.getClass().getSimpleName());
        }
        try {
            orders.settle(s, result);
        } catch (RuntimeException e) {
            LOG.error(
                    "could not record the {} validation of {}: {}",
                    s.challenge().type(),
                    s.authorization().identifier(),
                    e.toString());
        }
    }

    /** Processing challenges nobody validates (deferred, or left by a stopped replica): validated now, as room allows. */
    @Scheduled(
            fixedDelay = "${pki.acme.validation.resume-interval:30s}",
            initialDelay = "${pki.acme.validation.resume-interval:30s}")
    void resume() {
        try {
            int room = queue.room();
            int taken = 0;
            if (room > 0) {
                for (AcmeOrders.Started s : claims.unclaimed(room)) {
                    taken += submit(s) ? 1 : 0;
                }
            }
            if (taken > 0) {
                LOG.info("ACME: {} processing challenges taken up again", taken);
            }
        } catch (RuntimeException e) {
            LOG.warn("ACME resume pass failed: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }
}
