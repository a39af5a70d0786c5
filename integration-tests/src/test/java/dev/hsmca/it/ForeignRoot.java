package dev.hsmca.it;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A root certificate of some other CA, made in software: what a client must not trust our CA through. */
final class ForeignRoot {
    private ForeignRoot() {}

    static String pem() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        var pair = g.generateKeyPair();
        var name = new X500Name("CN=Other Root");
        var cert = new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        new Date(),
                        new Date(System.currentTimeMillis() + 86_400_000L),
                        name,
                        pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
