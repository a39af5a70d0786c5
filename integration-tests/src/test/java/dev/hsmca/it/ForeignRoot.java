package dev.hsmca.it;

import java.math.BigInteger;

/** A root certificate of some other CA, made in software: what a client must not trust our CA through. */
final class ForeignRoot {
    private ForeignRoot() {}

    static String pem() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        var pair = g.generateKeyPair();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=Other Root");
        var cert = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        new java.util.Date(),
                        new java.util.Date(System.currentTimeMillis() + 86_400_000L),
                        name,
                        pair.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                        .build(pair.getPrivate()));
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }
}
