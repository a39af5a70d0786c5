package dev.hsmca.appliance.audit;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In the server: checks the database against the anchor before anything is served (a rollback stops the start,
 * or is logged with {@code on-rollback: warn}), then anchors the head whenever it moved, and once more at shutdown.
 */
@Context
@Requires(notEnv = {Environment.CLI, Environment.TEST})
public class AuditAnchorJob {
    private static final Logger LOG = LoggerFactory.getLogger(AuditAnchorJob.class);

    private final AuditAnchor anchor;
    private final AuditConfig config;
    private final AuditSealer sealer;
    private volatile long anchored = -1;

    public AuditAnchorJob(AuditAnchor anchor, AuditConfig config, AuditSealer sealer) {
        this.anchor = anchor;
        this.config = config;
        this.sealer = sealer;
    }

    @PostConstruct
    void checkAtStart() {
        AuditAnchor.Check check = anchor.check();
        if (!check.ok()) {
            String problem = check.problem().orElseThrow();
            if (config.rollbackPolicy() == AuditConfig.RollbackPolicy.REFUSE) {
                throw new IllegalStateException(problem + ". The appliance will not start on this store. After a "
                        + "deliberate restore, start once with pki.audit.on-rollback=warn (it re-anchors), or move the anchor aside.");
            }
            LOG.error("{} (starting anyway: pki.audit.on-rollback=warn)", problem);
        } else {
            check.anchor().ifPresent(a -> LOG.info("audit log matches its anchor (entry {} of {})", a.seq(), check.databaseHead()));
        }
    }

    @Scheduled(fixedDelay = "${pki.audit.anchor-interval:1s}", initialDelay = "1s")
    void anchorIfMoved() {
        try {
            anchor.anchorHead(anchored).ifPresent(a -> anchored = a.seq());
        } catch (RuntimeException e) {
            LOG.warn("could not anchor the audit head (retrying): {}", e.toString());
        }
    }

    /** At shutdown, what is pending is sealed first, so the last anchor covers every entry this process wrote. */
    @PreDestroy
    void anchorAtShutdown() {
        try {
            sealer.seal();
        } catch (RuntimeException e) {
            LOG.warn("could not seal the audit log at shutdown (the next start seals it): {}", e.toString());
        }
        anchorIfMoved();
    }

    /** The last sequence number anchored by this process, -1 before the first. */
    public long anchored() {
        return anchored;
    }
}
