package dev.hsmca.appliance.x509;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class PemTest {
    /** The fast path for one certificate writes what BouncyCastle's PEM writer writes, and reads back the same. */
    @Test
    void oneCertificateAsThePemWriterWritesIt() throws Exception {
        for (int names : new int[] {0, 1, 2, 25}) { // different lengths: the last line's length varies
            X509Certificate certificate = certificate(names);
            StringWriter expected = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(expected)) {
                writer.writeObject(certificate);
            }
            assertEquals(expected.toString(), Pem.encode(certificate));
            String pem = Pem.certificate(certificate);
            String body = pem.replaceAll("-----[A-Z ]+-----|\\s", "");
            assertArrayEquals(certificate.getEncoded(), Base64.getDecoder().decode(body));
            assertEquals(expected.toString() + expected, Pem.chain(List.of(certificate, certificate)));
        }
    }

    private static X509Certificate certificate(int names) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair pair = g.generateKeyPair();
        StringBuilder cn = new StringBuilder("pem");
        for (int i = 0; i < names; i++) {
            cn.append(i);
        }
        Date now = new Date();
        return new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                new X500Name("CN=" + cn),
                                BigInteger.valueOf(names + 1L),
                                now,
                                new Date(now.getTime() + 86_400_000L),
                                new X500Name("CN=" + cn),
                                pair.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }
}
