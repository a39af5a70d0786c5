package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.jobs.Job;
import dev.hsmca.appliance.jobs.JobLocks;
import dev.hsmca.appliance.ocsp.OcspPresigner;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps CRLs and pre-signed OCSP responses fresh on every replica's schedule, each job run by one replica at a
 * time: CRLs owed (after a crash or a peer's revocation) or due for reissue, and responses re-signed at half-life.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
@Requires(property = "pki.jobs.enabled", notEquals = "false")
public class FreshnessJobs {
    private static final Logger LOG = LoggerFactory.getLogger(FreshnessJobs.class);
    static final int BATCH = 500;

    private final CaHierarchy ca;
    private final CrlPublisher publisher;
    private final OcspPresigner presigner;
    private final JobLocks locks;

    public FreshnessJobs(CaHierarchy ca, CrlPublisher publisher, OcspPresigner presigner, JobLocks locks) {
        this.ca = ca;
        this.publisher = publisher;
        this.presigner = presigner;
        this.locks = locks;
    }

    /**
     * At start, before the first check: shards without a CRL yet (an appliance upgraded to partitions, or a changed
     * {@code pki.urls.crl-base}) are published before certificates naming them are handed out for long.
     */
    @Scheduled(initialDelay = "${pki.crl.parts-at-start:2s}")
    void partsAtStart() {
        try {
            publisher.publishParts();
        } catch (RuntimeException e) {
            LOG.error("CRL shard publication at start failed (retried at the next check): {}", e.toString());
        }
    }

    @Scheduled(fixedDelay = "${pki.crl.check-interval:30s}", initialDelay = "${pki.jobs.initial-delay:20s}")
    void crls() {
        try {
            publisher.publishParts();
            publisher.publishOwed();
        } catch (RuntimeException e) {
            LOG.error("CRL check failed: {}", e.toString());
        }
    }

    @Scheduled(fixedDelay = "${pki.jobs.interval:10m}", initialDelay = "${pki.jobs.initial-delay:20s}")
    void ocsp() {
        if (!ca.initialized()) {
            return;
        }
        try {
            locks.runExclusively(Job.OCSP_REFRESH, Duration.ofMinutes(30), () -> {
                int refreshed;
                do {
                    refreshed = presigner.refresh(BATCH);
                    if (refreshed > 0) {
                        LOG.info("re-signed OCSP responses for {} certificates", refreshed);
                    }
                } while (refreshed == BATCH);
            });
        } catch (RuntimeException e) {
            LOG.error("OCSP refresh failed: {}", e.toString());
        }
    }
}
