package dev.hsmca.appliance.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.Shell;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The streaming CRL writer, with a software key: the JDK and openssl both accept what it writes. */
class CrlWriterTest {

    @Test
    void writesACrlTheJdkAndOpensslAccept() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ca = g.generateKeyPair();
        X500Name name = new X500Name("CN=CRL Test CA");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X509Certificate caCert = new JcaX509CertificateConverter()
                .getCertificate(new X509v3CertificateBuilder(
                                name,
                                BigInteger.ONE,
                                Date.from(now.minusSeconds(60)),
                                Date.from(now.plus(Duration.ofDays(10))),
                                name,
                                SubjectPublicKeyInfo.getInstance(ca.getPublic().getEncoded()))
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.cRLSign | KeyUsage.keyCertSign))
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));

        int n = 5000;
        Path dir = Files.createTempDirectory("crl");
        Path out = dir.resolve("test.crl");
        CrlWriter.Result result = CrlWriter.write(
                name,
                new byte[] {1, 2, 3, 4},
                BigInteger.valueOf(7),
                now,
                now.plus(Duration.ofDays(7)),
                consumer -> {
                    for (int i = 1; i <= n; i++) {
                        consumer.accept(new CrlWriter.Entry(
                                BigInteger.valueOf(i).shiftLeft(64).add(BigInteger.valueOf(i)),
                                now.minusSeconds(i),
                                i % 7 == 0 ? -1 : i % 6,
                                i == 42 ? now.minusSeconds(3600) : null));
                    }
                },
                new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate()),
                out);
        assertEquals(n, result.entries());

        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(Files.newInputStream(out));
        crl.verify(ca.getPublic());
        assertEquals(n, crl.getRevokedCertificates().size());
        assertEquals(Date.from(now.plus(Duration.ofDays(7))), crl.getNextUpdate());
        var e42 = crl.getRevokedCertificate(BigInteger.valueOf(42).shiftLeft(64).add(BigInteger.valueOf(42)));
        assertNotNull(e42.getExtensionValue("2.5.29.24"), "invalidity date");
        var e7 = crl.getRevokedCertificate(BigInteger.valueOf(7).shiftLeft(64).add(BigInteger.valueOf(7)));
        assertNull(e7.getRevocationReason(), "no reason code for 'none'");
        assertNotNull(crl.getExtensionValue("2.5.29.20"), "CRL number");

        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(caCert);
        }
        Files.writeString(dir.resolve("ca.pem"), pem.toString());
        Shell.Result r =
                Shell.exec(dir, "openssl", "crl", "-inform", "DER", "-in", "test.crl", "-CAfile", "ca.pem", "-noout");
        assertTrue(r.output().contains("verify OK"), r.output());
    }

    @Test
    void derLengths() {
        assertEquals(2, CrlWriter.header(0x30, 127).length);
        assertEquals(3, CrlWriter.header(0x30, 128).length);
        assertEquals(4, CrlWriter.header(0x30, 65_535).length);
        assertEquals(5, CrlWriter.header(0x30, 16_777_215).length);
        assertEquals(6, CrlWriter.header(0x30, 40_000_000L).length);
    }
}
