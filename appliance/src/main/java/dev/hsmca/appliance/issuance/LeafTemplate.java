package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.Profile;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

import java.time.Instant;
import java.util.List;

/** Everything that goes into an end-entity certificate, decided before anything is built. */
public record LeafTemplate(String commonName, List<String> dnsNames, List<String> ipAddresses,
                           SubjectPublicKeyInfo publicKey, boolean rsaKey, Profile profile,
                           Instant notBefore, Instant notAfter) {
}
