package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.core.RevocationReason;
import java.security.PublicKey;
import java.security.cert.X509Certificate;

/**
 * revokeCert (RFC 8555 §7.6): the certificate as sent (DER read at the edge), the reason asked for, and who asks.
 * Whether this CA issued it, whether the requester may revoke it and whether the reason is one a holder may give
 * are checked here.
 */
public record Revoke(X509Certificate certificate, RevocationReason reason, Requester requester) {
    /** The account that ordered the certificate, or whoever signs with the certificate's own key. */
    public sealed interface Requester permits ByAccount, ByCertificateKey {}

    /** Signed by an account ({@code kid}). */
    public record ByAccount(AcmeAccount account) implements Requester {}

    /** Signed by a key sent with the request ({@code jwk}), which must be the certificate's. */
    public record ByCertificateKey(PublicKey key) implements Requester {}
}
