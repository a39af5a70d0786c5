package dev.hsmca.appliance.domain;

import java.time.Duration;
import java.time.Instant;

/** What the CA reports about itself; the domain calls this, a Micrometer implementation exports it. */
public interface PkiMetrics {
    void issued(String profile, long nanos);

    void issuanceFailed(String reason);

    /** A certificate broke its profile at lint time and was not signed. */
    void lintFailed();

    void revoked(String reason);

    /** An ACME order created ({@code created}) or refused (the problem type). */
    void acmeOrder(String outcome);

    /** An ACME challenge checked by the appliance. */
    void acmeValidation(String type, boolean valid);

    /** An ACME finalize: how long from request to stored certificate, and whether it issued. */
    void acmeFinalized(long nanos, boolean issued);

    void tokenUsed(String outcome);

    void hsmSigned(String key, long nanos, boolean ok);

    void hsmError(String operation);

    void hsmUp(boolean up);

    void tlsHandshake(String protocol, String cipher, long nanos);

    void tlsHandshakeFailed(String reason, long nanos);

    void clientCertificateSeen(String subject, Instant notAfter);

    /** A CRL stored for the responder to serve; {@code ca} is the CA's role alias. */
    void crlPublished(String ca, CrlKind kind);

    /**
     * A status change first shown by something served ({@code via}: a CRL kind's tag), {@code delay} after the change
     * committed.
     */
    void revocationVisible(String via, Duration delay);

    /** The setting the alert compares {@link #revocationVisible} with ({@code pki.crl.visibility-target}). */
    void revocationVisibilityTarget(Duration target);
}
