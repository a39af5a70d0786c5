package dev.hsmca.appliance.issuance;

import java.security.PublicKey;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A CSR whose signature verified and whose key and names passed the checks.
 *
 * @param commonName the subject CN as written, if the CSR had one (the policy authority decides what it means)
 * @param dnsNames   valid, lower-cased DNS SANs
 * @param ipAddresses valid IP SANs in canonical form
 * @param uris       valid URI SANs (SPIFFE IDs), as given
 */
public record InspectedCsr(
        SubjectPublicKeyInfo publicKey,
        boolean rsaKey,
        String keyDescription,
        String commonName,
        List<String> dnsNames,
        List<String> ipAddresses,
        List<String> uris) {

    /** A key the CA certifies for itself (its TLS key, the admin credential): no CSR, no names of its own. */
    public static InspectedCsr ofKey(PublicKey key) {
        return new InspectedCsr(
                SubjectPublicKeyInfo.getInstance(key.getEncoded()),
                "RSA".equals(key.getAlgorithm()),
                key.getAlgorithm(),
                null,
                List.of(),
                List.of(),
                List.of());
    }
}
