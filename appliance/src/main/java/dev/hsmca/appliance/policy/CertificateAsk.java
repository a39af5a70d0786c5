package dev.hsmca.appliance.policy;

import java.time.Duration;
import java.util.List;

/**
 * What a request asks for, translated by its front end: the names its CSR carries (syntax-checked, not yet allowed),
 * and the profile, service and lifetime it named (each null when it named none).
 *
 * @param commonName  the CSR's subject CN as written (null or blank: none)
 * @param dnsNames    the CSR's DNS SANs, lower case
 * @param ipAddresses the CSR's IP SANs, canonical
 * @param uris        the CSR's URI SANs
 * @param identity    how the certificate's names follow from the request and the grant
 */
public record CertificateAsk(
        String commonName,
        List<String> dnsNames,
        List<String> ipAddresses,
        List<String> uris,
        String profile,
        String service,
        Duration validity,
        Identity identity) {

    /** How the certificate's names are chosen. */
    public enum Identity {
        /** The names the CSR asks for, each allowed by the grant (REST issuance). */
        REQUESTED,
        /** The grant's names, whatever subset the CSR asks for (renewal keeps the identity it renews). */
        GRANTED,
        /** The CSR must ask for exactly the grant's names (an ACME order, RFC 8555 §7.4). */
        EXACT
    }

    public CertificateAsk {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        uris = List.copyOf(uris);
    }
}
