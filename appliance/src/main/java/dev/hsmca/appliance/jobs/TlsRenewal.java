package dev.hsmca.appliance.jobs;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CaRecords;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.TlsIdentity;
import dev.hsmca.core.CaRole;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the appliance's own HTTPS certificate before it expires: a new key in the HSM (a new alias, never
 * rewriting an entry), a certificate from the issuing CA ({@link TlsIdentity}), then the hierarchy is reloaded. The
 * TLS key manager reads the identity on each handshake, so new connections get the new certificate without a restart.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
public class TlsRenewal {
    private static final Logger LOG = LoggerFactory.getLogger(TlsRenewal.class);
    private static final String ACTOR = "system:tls-renewal";

    private final CaHierarchy ca;
    private final TlsIdentity identity;
    private final CaRecords caRecords;
    private final AuditLog audit;
    private final Clock clock;
    private final JobLocks locks;
    private final Duration renewBefore;

    public TlsRenewal(
            CaHierarchy ca,
            TlsIdentity identity,
            CaRecords caRecords,
            AuditLog audit,
            Clock clock,
            JobLocks locks,
            TlsConfig tls) {
        this.ca = ca;
        this.identity = identity;
        this.caRecords = caRecords;
        this.audit = audit;
        this.clock = clock;
        this.locks = locks;
        this.renewBefore = Duration.ofDays(tls.renewBeforeDays());
    }

    @Scheduled(fixedDelay = "${pki.tls.check-interval:1h}", initialDelay = "${pki.jobs.initial-delay:20s}")
    void scheduled() {
        try {
            ca.refreshIfChanged(); // a peer replica may have renewed: serve its certificate too
            locks.runExclusively(Job.TLS_RENEWAL, Duration.ofMinutes(10), this::renewIfDue);
        } catch (RuntimeException e) {
            LOG.error("TLS certificate renewal failed: {}", e.toString());
        }
    }

    /** Renews when the current certificate expires within the threshold; true when it did. */
    public synchronized boolean renewIfDue() {
        ca.refreshIfChanged();
        if (!ca.initialized()) {
            return false;
        }
        CaHierarchy.Member current = ca.member(CaRole.TLS);
        Instant now = clock.instant();
        if (current.record().notAfter().isAfter(now.plus(renewBefore))) {
            return false;
        }
        TlsIdentity.Issued renewed = identity.renewal(ACTOR, "tls-" + now.getEpochSecond(), current.certificate());
        switchIdentity(current, renewed);
        ca.reload();
        X509Certificate cert = renewed.certificate();
        LOG.info(
                "renewed the appliance TLS certificate: {} (key '{}'), valid to {}",
                cert.getSerialNumber().toString(16),
                renewed.alias(),
                cert.getNotAfter().toInstant());
        return true;
    }

    /**
     * The new identity replaces the old in one transaction: there is never a moment without an active TLS row,
     * and never two (the schema allows one active row per role).
     */
    @Transactional
    protected void switchIdentity(CaHierarchy.Member current, TlsIdentity.Issued renewed) {
        caRecords.deactivate(current.id());
        identity.store(
                IssuanceCommand.Channel.TLS_RENEWAL,
                ACTOR,
                renewed,
                ca.issuing().id(),
                current.record().serial());
        audit.record(
                ACTOR,
                "tls.renew",
                "certificate:" + renewed.certificate().getSerialNumber().toString(16),
                AuditLog.OK,
                "replaces=" + current.record().serial() + " alias=" + renewed.alias());
    }
}
