package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.store.CertificateRecord;
import java.time.Duration;

/**
 * One request for a certificate, as a front end translated it: who asks (the grant), the CSR, and what the request
 * named (null where it named nothing). The registration authority takes it from here.
 *
 * @param renewalOf the serial this certificate replaces, or null
 * @param claim     the front end's part of the write (a token consumed, an order moved on), in its transaction
 * @param details   what the front end adds to the audit entry (an order id), or empty
 */
public record IssuanceCommand(
        Channel channel,
        Entitlement grant,
        String csrPem,
        String profile,
        String service,
        Duration validity,
        CertificateAsk.Identity identity,
        String renewalOf,
        Claim claim,
        String details) {

    /** The ways in. */
    public enum Channel {
        /** {@code POST /api/v1/certificates}: the administrator or an install token. */
        REST("rest", "certificate.issue"),
        /** {@code POST /api/v1/certificates/renew}: the holder over mTLS. */
        RENEWAL("renewal", "certificate.renew"),
        /** ACME finalize. */
        ACME("acme", "certificate.issue"),
        /** The appliance's own TLS certificate, renewed. */
        TLS_RENEWAL("tls-renewal", "certificate.issue"),
        /** {@code ca init}'s TLS certificate and client credentials. */
        CA_INIT("ca-init", "certificate.issue");

        private final String label;
        private final String auditAction;

        Channel(String label, String auditAction) {
            this.label = label;
            this.auditAction = auditAction;
        }

        public String label() {
            return label;
        }

        public String auditAction() {
            return auditAction;
        }

        /** A renewal locks the row it renews, which a shared group-commit batch must not hold for others. */
        boolean locksRows() {
            return this == RENEWAL;
        }
    }

    /** A front end's part of the write that stores the certificate; throwing refuses the issuance. */
    public interface Claim {
        Claim NONE = new Claim() {};

        /** Before the certificate is stored (consume a single-use credential, re-check what is renewed). */
        default void before(String serial) {}

        /** After it is stored, in the same transaction (link it to an order, supersede the old one). */
        default void after(CertificateRecord stored) {}
    }
}
