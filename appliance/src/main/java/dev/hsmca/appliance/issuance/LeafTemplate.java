package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.Profile;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Everything that goes into an end-entity certificate, decided before anything is built: the subject is the
 * profile's template attributes, then the CN (if any).
 */
public record LeafTemplate(
        String commonName,
        List<String> dnsNames,
        List<String> ipAddresses,
        List<String> uris,
        SubjectPublicKeyInfo publicKey,
        boolean rsaKey,
        Profile profile,
        Instant notBefore,
        Instant notAfter) {}
