package dev.hsmca.appliance.issuance;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

import java.util.List;

/**
 * A CSR whose signature verified and whose key and names passed the checks.
 *
 * @param commonName the subject CN, if the CSR had one
 * @param dnsNames   valid, lower-cased DNS SANs
 * @param ipAddresses valid IP SANs in canonical form
 */
public record InspectedCsr(SubjectPublicKeyInfo publicKey, boolean rsaKey, String keyDescription, String commonName,
                           List<String> dnsNames, List<String> ipAddresses) {
}
