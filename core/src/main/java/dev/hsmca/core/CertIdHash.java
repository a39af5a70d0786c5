package dev.hsmca.core;

import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;

/** The hash algorithms of OCSP CertIDs this CA answers for; the store's {@code hash_algorithm} is the lower-case name. */
@SuppressWarnings("ImmutableEnumChecker") // ASN1ObjectIdentifier is immutable, only not annotated so
public enum CertIdHash {
    SHA1(OIWObjectIdentifiers.idSHA1),
    SHA256(NISTObjectIdentifiers.id_sha256);

    private final ASN1ObjectIdentifier oid;

    CertIdHash(ASN1ObjectIdentifier oid) {
        this.oid = oid;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<CertIdHash> of(ASN1ObjectIdentifier oid) {
        for (CertIdHash h : values()) {
            if (h.oid.equals(oid)) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }
}
