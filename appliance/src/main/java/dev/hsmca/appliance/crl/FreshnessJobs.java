package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CaRole;
import dev.hsmca.appliance.ocsp.OcspPresigner;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps CRLs and pre-signed OCSP responses fresh: CRLs reissued daily, responses re-signed at half-life. */
@Singleton
@Requires(notEnv = Environment.CLI)
@Requires(property = "pki.jobs.enabled", notEquals = "false")
public class FreshnessJobs {
    private static final Logger LOG = LoggerFactory.getLogger(FreshnessJobs.class);

    private final CaHierarchy ca;
    private final CrlService crls;
    private final OcspPresigner presigner;

    public FreshnessJobs(CaHierarchy ca, CrlService crls, OcspPresigner presigner) {
        this.ca = ca;
        this.crls = crls;
        this.presigner = presigner;
    }

    @Scheduled(fixedDelay = "${pki.jobs.interval:10m}", initialDelay = "${pki.jobs.initial-delay:20s}")
    void run() {
        if (!ca.initialized()) {
            return;
        }
        try {
            for (CaRole role : new CaRole[]{CaRole.ISSUING, CaRole.ROOT}) {
                if (crls.due(role)) {
                    crls.generate(role, "system:scheduler");
                }
            }
            int refreshed;
            do {
                refreshed = presigner.refresh(500);
                if (refreshed > 0) {
                    LOG.info("re-signed OCSP responses for {} certificates", refreshed);
                }
            } while (refreshed == 500);
        } catch (RuntimeException e) {
            LOG.error("freshness job failed: {}", e.toString());
        }
    }
}
