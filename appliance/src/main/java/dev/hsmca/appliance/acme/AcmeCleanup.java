package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.jobs.Job;
import dev.hsmca.appliance.jobs.JobLocks;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Orders never finished (and nonce rows older versions wrote) are removed, by one replica at a time. */
@Singleton
@Requires(notEnv = Environment.CLI)
@Requires(property = "pki.jobs.enabled", notEquals = "false")
public class AcmeCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeCleanup.class);

    private final AcmeNonceKeys nonces;
    private final AcmeOrders orders;
    private final JobLocks locks;

    public AcmeCleanup(AcmeNonceKeys nonces, AcmeOrders orders, JobLocks locks) {
        this.nonces = nonces;
        this.orders = orders;
        this.locks = locks;
    }

    @Scheduled(fixedDelay = "${pki.acme.cleanup-interval:10m}", initialDelay = "${pki.jobs.initial-delay:20s}")
    void run() {
        try {
            locks.runExclusively(Job.ACME_CLEANUP, Duration.ofMinutes(10), () -> {
                int n = nonces.purgeLegacyRows();
                int o = orders.purgeExpired();
                if (n + o > 0) {
                    LOG.info("ACME cleanup: {} nonce rows of an older version, {} expired orders removed", n, o);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("ACME cleanup failed: {}", e.toString());
        }
    }
}
