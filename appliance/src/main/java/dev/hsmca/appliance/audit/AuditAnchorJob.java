package dev.hsmca.appliance.audit;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In the server: checks the database against the anchor before anything is served (a rollback, or a missing
 * anchor beside a non-empty log, stops the start, or is logged with {@code on-rollback: warn}); then, every
 * {@code pki.audit.anchor-interval}, checks that the database still holds what was anchored and anchors the head
 * when it moved, and once more at shutdown. A database found to have gone back while running stops issuance
 * ({@link AuditGuard}) and is never anchored.
 */
@Context
@Requires(notEnv = {Environment.CLI, Environment.TEST})
public class AuditAnchorJob {
    private static final Logger LOG = LoggerFactory.getLogger(AuditAnchorJob.class);

    private final AuditAnchor anchor;
    private final AuditConfig config;
    private final AuditSealer sealer;
    private final AuditGuard guard;
    private volatile Optional<AuditAnchor.Anchor> last = Optional.empty();

    public AuditAnchorJob(AuditAnchor anchor, AuditConfig config, AuditSealer sealer, AuditGuard guard) {
        this.anchor = anchor;
        this.config = config;
        this.sealer = sealer;
        this.guard = guard;
    }

    @PostConstruct
    void checkAtStart() {
        AuditAnchor.Check check = anchor.check();
        if (!check.ok()) {
            String problem = check.problem().orElseThrow().message();
            if (config.rollbackPolicy() == AuditConfig.RollbackPolicy.REFUSE) {
                throw new IllegalStateException(problem + ". The appliance will not start on this store. After a "
                        + "deliberate restore, or on a new replica host, start once with pki.audit.on-rollback=warn "
                        + "(it accepts the store as it is and anchors it).");
            }
            LOG.error("{} (starting anyway: pki.audit.on-rollback=warn; the store is accepted as it is)", problem);
            return; // nothing to hold the store to: the next step anchors its head
        }
        last = check.anchor();
        check.anchor()
                .ifPresent(
                        a -> LOG.info("audit log matches its anchor (entry {} of {})", a.seq(), check.databaseHead()));
    }

    @Scheduled(fixedDelay = "${pki.audit.anchor-interval:1s}", initialDelay = "1s")
    void anchorIfMoved() {
        if (guard.rollback().isPresent()) {
            return; // stopped: a lower head is never signed over the anchor
        }
        try {
            AuditAnchor.Step step = anchor.advance(last);
            step.anchored().ifPresent(a -> last = Optional.of(a));
            step.rollback().ifPresent(p -> {
                if (guard.stop(p.message())) {
                    LOG.error(
                            "{}. Issuance is stopped (503 audit_rollback) and the anchor is kept; check the store, "
                                    + "then restart (pki.audit.on-rollback=warn accepts it as it is).",
                            p.message());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("could not check or anchor the audit head (retrying): {}", e.toString());
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

    /** The last anchor this process checked or wrote; empty before the first. */
    public Optional<AuditAnchor.Anchor> anchored() {
        return last;
    }
}
