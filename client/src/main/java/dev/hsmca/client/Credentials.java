package dev.hsmca.client;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A private key, its certificate and the chain above it (issuing CA, then root). Immutable: a renewal makes a new
 * one, and readers see either the old or the new, never a mix.
 */
public record Credentials(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {

    public Credentials {
        chain = List.copyOf(chain);
    }

    public String serial() {
        return certificate.getSerialNumber().toString(16);
    }

    public BigInteger serialNumber() {
        return certificate.getSerialNumber();
    }

    public Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public Duration lifetime() {
        return Duration.between(notBefore(), notAfter());
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(notAfter());
    }

    /** The certificate then the chain without its root: what a TLS peer is sent. */
    public X509Certificate[] presented() {
        List<X509Certificate> out = new ArrayList<>();
        out.add(certificate);
        for (X509Certificate c : chain) {
            if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                out.add(c);
            }
        }
        return out.toArray(X509Certificate[]::new);
    }
}
