package dev.hsmca.appliance.audit;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In the server: seals pending audit entries every {@code pki.audit.seal-interval}; what a stop leaves pending, the
 * next start seals. Not in tests' in-process contexts (reads seal on demand there): a context closed right after
 * its work, as test set-ups do, would leave a seal running into the next one's database.
 */
@Singleton
@Requires(notEnv = {Environment.CLI, Environment.TEST})
public class AuditSealJob {
    private static final Logger LOG = LoggerFactory.getLogger(AuditSealJob.class);

    private final AuditSealer sealer;

    public AuditSealJob(AuditSealer sealer) {
        this.sealer = sealer;
    }

    @Scheduled(fixedDelay = "${pki.audit.seal-interval:200ms}", initialDelay = "200ms")
    void sealPending() {
        try {
            sealer.seal();
        } catch (RuntimeException e) {
            // the entries stay pending, committed; the next run seals them
            LOG.warn("could not seal pending audit entries (retrying): {}", e.toString());
        }
    }
}
