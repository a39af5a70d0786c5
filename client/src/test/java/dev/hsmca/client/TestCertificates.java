package dev.hsmca.client;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Software certificates for unit tests. */
final class TestCertificates {
    private TestCertificates() {}

    static X509Certificate selfSigned(KeyPair pair, Instant notBefore, Instant notAfter, BigInteger serial)
            throws Exception {
        X500Name name = new X500Name("CN=test-" + serial);
        return new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                name, serial, Date.from(notBefore), Date.from(notAfter), name, pair.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }
}
