package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.store.CertificateRepository;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * An administrator moves the renewal window of valid certificates to now (after a key compromise, a CA change):
 * one certificate, a service's, or every certificate of the issuing CA. Agents see it at their next poll and renew;
 * ACME clients through renewal information. The change and its audit entry are one transaction.
 */
@Singleton
public class EarlyRenewals {

    /** Which certificates: one by serial (normalized hex), a service's, or all of the issuing CA's. */
    public sealed interface Selection {
        /** As the audit entry names it. */
        String described();

        record Serial(String serial) implements Selection {
            @Override
            public String described() {
                return "serial=" + serial;
            }
        }

        record Service(String service) implements Selection {
            @Override
            public String described() {
                return "service=" + service;
            }
        }

        record All() implements Selection {
            @Override
            public String described() {
                return "all";
            }
        }
    }

    /** How many certificates now ask for renewal, from when. */
    public record Requested(int certificates, Instant renewAfter) {}

    private final CertificateRepository certificates;
    private final CaHierarchy ca;
    private final AuditLog audit;
    private final Clock clock;

    public EarlyRenewals(CertificateRepository certificates, CaHierarchy ca, AuditLog audit, Clock clock) {
        this.certificates = certificates;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public Requested request(AdminGrant admin, Selection selection) {
        String serial = selection instanceof Selection.Serial s ? s.serial() : "";
        String service = selection instanceof Selection.Service s ? s.service() : "";
        String issuer = selection instanceof Selection.All ? ca.issuing().id() : "";
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        int n = certificates.requestRenewal(serial, service, issuer, now);
        if (n == 0 && !serial.isEmpty()) {
            throw PkiException.notFound("certificate_not_found", "no valid certificate with serial " + serial);
        }
        audit.record(admin.actor(), "certificate.renew-early", selection.described(), AuditLog.OK, "certificates=" + n);
        return new Requested(n, now);
    }
}
