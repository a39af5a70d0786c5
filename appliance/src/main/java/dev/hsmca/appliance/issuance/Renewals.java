package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/**
 * Renewal by a certificate's holder over mTLS: a new certificate (usually for a new key) with the same identity,
 * under the grant that first issued it. The certificate being renewed is read again, locked, inside the write that
 * stores the new one: a revocation that commits after the holder authenticated refuses the renewal.
 */
@Singleton
public class Renewals {
    private final RegistrationAuthority ra;
    private final CertificateRepository certificates;
    private final Revocations revocations;
    private final Clock clock;

    public Renewals(
            RegistrationAuthority ra, CertificateRepository certificates, Revocations revocations, Clock clock) {
        this.ra = ra;
        this.certificates = certificates;
        this.revocations = revocations;
        this.clock = clock;
    }

    /** {@code validity} null for the grant's default; {@code revokeOld} supersedes the old certificate in the same write. */
    public IssuedCertificate renew(HolderGrant holder, String csrPem, Duration validity, boolean revokeOld) {
        String old = holder.certificate().serial();
        return ra.issue(new IssuanceCommand(
                IssuanceCommand.Channel.RENEWAL,
                holder.entitlement(),
                csrPem,
                null,
                null,
                validity,
                CertificateAsk.Identity.GRANTED,
                old,
                new Claim(holder, revokeOld),
                "renews=" + old));
    }

    private final class Claim implements IssuanceCommand.Claim {
        private final HolderGrant holder;
        private final boolean revokeOld;
        private CertificateRecord current;

        Claim(HolderGrant holder, boolean revokeOld) {
            this.holder = holder;
            this.revokeOld = revokeOld;
        }

        @Override
        public void before(String serial) {
            String old = holder.certificate().serial();
            current = certificates
                    .lockById(old)
                    .orElseThrow(
                            () -> PkiException.notFound("certificate_not_found", "no certificate with serial " + old));
            if (current.status() == CertificateStatus.REVOKED) {
                throw notRenewable(old, "revoked");
            }
            if (!current.notAfter().isAfter(clock.instant())) {
                throw notRenewable(old, "expired");
            }
        }

        @Override
        public void after(CertificateRecord stored) {
            if (revokeOld) {
                revocations.apply(
                        current,
                        RevocationReason.SUPERSEDED,
                        holder.entitlement().source(),
                        holder.actor());
            }
        }
    }

    private static PkiException notRenewable(String serial, String state) {
        return PkiException.forbidden(
                "certificate_" + state,
                "certificate " + serial + " is " + state
                        + "; it cannot be renewed: enroll again with a new install token");
    }
}
