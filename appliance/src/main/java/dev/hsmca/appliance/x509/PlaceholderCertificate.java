package dev.hsmca.appliance.x509;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;

/**
 * A bare self-signed certificate that only keeps a key company in the HSM: SunPKCS11 stores a key with a
 * certificate, so a key that nobody has certified yet (the issuing CA awaiting the offline root) or ever will (the
 * audit anchor's) is stored with this one. No extensions: nothing is meant to trust it.
 */
public final class PlaceholderCertificate {
    private PlaceholderCertificate() {}

    public static X509Certificate of(
            String commonName,
            BigInteger serial,
            PublicKey key,
            ContentSigner selfSigner,
            Instant notBefore,
            Instant notAfter) {
        X500Name name = new X500Name("CN=" + commonName);
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    name, serial, Date.from(notBefore), Date.from(notAfter), name, key)
                            .build(selfSigner));
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot build the placeholder certificate for " + commonName, e);
        }
    }
}
