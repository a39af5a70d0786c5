package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.EnrollKey;
import dev.hsmca.appliance.store.EnrollKeyRepository;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/**
 * Renewal by a certificate's holder over mTLS: a new certificate (usually for a new key) with the same identity,
 * under the grant that first issued it. The certificate being renewed is read again, locked, inside the write that
 * stores the new one: a revocation that commits after the holder authenticated refuses the renewal, and so does a
 * revoked enrollment key behind it.
 */
@Singleton
public class Renewals {
    private final RegistrationAuthority ra;
    private final CertificateRepository certificates;
    private final EnrollKeyRepository enrollKeys;
    private final Revocations revocations;
    private final Clock clock;

    public Renewals(
            RegistrationAuthority ra,
            CertificateRepository certificates,
            EnrollKeyRepository enrollKeys,
            Revocations revocations,
            Clock clock) {
        this.ra = ra;
        this.certificates = certificates;
        this.enrollKeys = enrollKeys;
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
            requireKeyUnrevoked(current);
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

    /**
     * A certificate an enrollment key issued renews only while that key is unrevoked: revoking a leaked key also
     * ends the renewal chains of what it issued (its expiry or use count does not: those end new enrollments only).
     */
    private void requireKeyUnrevoked(CertificateRecord current) {
        if (current.enrollKeyId() == null) {
            return;
        }
        EnrollKey key = enrollKeys.findById(current.enrollKeyId()).orElse(null);
        if (key == null || key.revokedAt() != null) {
            throw PkiException.forbidden(
                    "enroll_key_revoked",
                    "certificate " + current.serial() + " was issued under enrollment key " + current.enrollKeyId()
                            + ", which is revoked; it cannot be renewed: enroll again with a valid credential");
        }
    }

    private static PkiException notRenewable(String serial, String state) {
        return PkiException.forbidden(
                "certificate_" + state,
                "certificate " + serial + " is " + state
                        + "; it cannot be renewed: enroll again with a new install token");
    }
}
