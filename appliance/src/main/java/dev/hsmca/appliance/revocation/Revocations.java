package dev.hsmca.appliance.revocation;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.CertificateStatusListener;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Grant;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.policy.PolicyAuthority;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Revokes certificates. Who may give which reason is the {@link PolicyAuthority}'s to say (a holder never touches a
 * hold or changes a reason). The same reason twice is a no-op; a hold may be lifted ({@code removeFromCRL}) or made
 * permanent; any other change of reason is a 409. Each change is audited in its transaction.
 */
@Singleton
public class Revocations {
    private final CertificateRepository certificates;
    private final PolicyAuthority policy;
    private final AuditLog audit;
    private final List<CertificateStatusListener> listeners;
    private final PkiMetrics metrics;
    private final Clock clock;

    public Revocations(
            CertificateRepository certificates,
            PolicyAuthority policy,
            AuditLog audit,
            List<CertificateStatusListener> listeners,
            PkiMetrics metrics,
            Clock clock) {
        this.certificates = certificates;
        this.policy = policy;
        this.audit = audit;
        this.listeners = listeners;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Transactional
    public CertificateRecord revoke(String serial, RevocationReason reason, Grant grant) {
        CertificateRecord record = certificates
                .lockById(serial)
                .orElseThrow(
                        () -> PkiException.notFound("certificate_not_found", "no certificate with serial " + serial));
        if (grant instanceof HolderGrant holder
                && (!holder.owns(record.service()) || ServiceId.RESERVED.contains(record.service()))) {
            throw PkiException.forbidden(
                    "not_your_certificate",
                    "certificate " + serial + " does not belong to service " + holder.service());
        }
        if (!(grant instanceof AdminGrant) && !(grant instanceof HolderGrant)) {
            throw PkiException.forbidden("not_allowed", "this credential may not revoke certificates");
        }
        return apply(record, reason, grant.entitlement().source(), grant.actor());
    }

    /**
     * Inside the caller's transaction (renewal uses it to supersede the old certificate, ACME for revokeCert), on a
     * row the caller read in it.
     */
    @Transactional(propagation = TransactionDefinition.Propagation.MANDATORY)
    public CertificateRecord apply(
            CertificateRecord record, RevocationReason reason, Entitlement.Source revoker, String actor) {
        policy.checkRevocation(revoker, record, reason);
        String serial = record.serial();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        boolean revoked = record.status() == CertificateStatus.REVOKED;
        String current = record.revocationReason();
        String change;
        if (!revoked) {
            if (reason == RevocationReason.REMOVE_FROM_CRL) {
                throw conflict(serial, "is not on hold; removeFromCRL only lifts a certificateHold");
            }
            change = certificates.revoke(serial, now, reason.text()) == 1 ? "revoked" : null;
        } else if (reason.text().equals(current)) {
            return record; // idempotent
        } else if (RevocationReason.CERTIFICATE_HOLD.text().equals(current)) {
            change = reason == RevocationReason.REMOVE_FROM_CRL
                    ? (certificates.releaseHold(serial) == 1 ? "hold released" : null)
                    : (certificates.makeHoldPermanent(serial, now, reason.text()) == 1 ? "hold made permanent" : null);
        } else {
            throw conflict(serial, "is already revoked for " + current + "; it cannot change to " + reason.text());
        }
        if (change == null) {
            throw conflict(serial, "changed while this request was handled; retry");
        }
        audit.record(
                actor,
                "certificate.revoke",
                "certificate:" + serial,
                AuditLog.OK,
                change + " reason=" + reason.text() + (record.service() == null ? "" : " service=" + record.service()));
        CertificateRecord updated = certificates.findById(serial).orElseThrow();
        listeners.forEach(l -> l.statusChanged(updated, CertificateStatusListener.Change.STATUS_CHANGED));
        metrics.revoked(reason.text());
        return updated;
    }

    private static PkiException conflict(String serial, String what) {
        return PkiException.conflict("revocation_conflict", "certificate " + serial + " " + what);
    }
}
