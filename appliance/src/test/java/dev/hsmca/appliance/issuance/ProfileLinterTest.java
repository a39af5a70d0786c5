package dev.hsmca.appliance.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.Profile;
import dev.hsmca.appliance.domain.ProfileConfig;
import dev.hsmca.appliance.x509.Extensions;
import dev.hsmca.appliance.x509.SerialNumbers;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The linter with software keys: a good certificate passes, and each kind of mistake is caught. */
class ProfileLinterTest {
    static KeyPair caKeys;
    static KeyPair leafKeys;
    static X509Certificate ca;
    static Profile tlsServer = Profile.of(new ProfileConfig(
            "tls-server",
            List.of("digitalSignature", "keyEncipherment"),
            List.of("serverAuth"),
            397,
            Duration.ofMinutes(5),
            true,
            true,
            null,
            null,
            true));

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        caKeys = g.generateKeyPair();
        leafKeys = g.generateKeyPair();
        X500Name name = new X500Name("CN=Lint CA");
        SubjectPublicKeyInfo spki =
                SubjectPublicKeyInfo.getInstance(caKeys.getPublic().getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(
                name, BigInteger.ONE, new Date(), Date.from(Instant.now().plus(Duration.ofDays(1000))), name, spki);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        Extensions.addIdentifiers(b, spki, Extensions.subjectKeyId(spki).getKeyIdentifier());
        ca = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    }

    static LeafTemplate template() {
        Instant now = Instant.now();
        return new LeafTemplate(
                "svc.example.com",
                List.of("svc.example.com"),
                List.of(),
                List.of(),
                SubjectPublicKeyInfo.getInstance(leafKeys.getPublic().getEncoded()),
                false,
                tlsServer,
                now,
                now.plus(Duration.ofDays(90)));
    }

    /** A certificate as LeafSigner builds it, with one change applied. */
    static TBSCertificate tbs(LeafTemplate t, BigInteger serial, Consumer<X509v3CertificateBuilder> change)
            throws Exception {
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(
                X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                serial,
                Date.from(t.notBefore()),
                Date.from(t.notAfter()),
                new X500Name("CN=" + t.commonName()),
                t.publicKey());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(
                Extension.subjectAlternativeName,
                false,
                GeneralNames.getInstance(new DERSequence(new GeneralName(GeneralName.dNSName, "svc.example.com"))));
        Extensions.addIdentifiers(b, t.publicKey(), Extensions.keyIdOf(ca));
        Extensions.addPointers(b, "http://crl", "http://ocsp", "http://ca");
        change.accept(b);
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()))
                .toASN1Structure()
                .getTBSCertificate();
    }

    static List<String> lint(TBSCertificate tbs, LeafTemplate t) {
        return ProfileLinter.lint(tbs, t, ca, Extensions.keyIdOf(ca));
    }

    static final BigInteger GOOD_SERIAL = SerialNumbers.next();

    @Test
    void aCorrectCertificatePasses() throws Exception {
        assertEquals(List.of(), lint(tbs(template(), GOOD_SERIAL, b -> {}), template()));
    }

    @Test
    void catchesACaFlag() throws Exception {
        List<String> p = lint(
                tbs(
                        template(),
                        GOOD_SERIAL,
                        b -> replace(b, Extension.basicConstraints, true, new BasicConstraints(true))),
                template());
        assertTrue(p.stream().anyMatch(s -> s.contains("basicConstraints")), p.toString());
    }

    @Test
    void catchesWrongKeyUsageAndEku() throws Exception {
        List<String> p = lint(
                tbs(template(), GOOD_SERIAL, b -> {
                    replace(
                            b,
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
                    replace(b, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
                }),
                template());
        assertTrue(p.contains("keyUsage differs from the profile"), p.toString());
        assertTrue(p.contains("extendedKeyUsage differs from the profile"), p.toString());
    }

    @Test
    void catchesUnapprovedNamesAndShortSerials() throws Exception {
        List<String> p = lint(
                tbs(
                        template(),
                        BigInteger.valueOf(42),
                        b -> replace(
                                b,
                                Extension.subjectAlternativeName,
                                false,
                                GeneralNames.getInstance(
                                        new DERSequence(new GeneralName(GeneralName.dNSName, "evil.example.com"))))),
                template());
        assertTrue(p.contains("subjectAltName has an unapproved DNS name"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("serial")), p.toString());
    }

    @Test
    void catchesAnIpAddressOtherThanTheApprovedOne() throws Exception {
        Instant now = Instant.now();
        LeafTemplate t = new LeafTemplate(
                "svc.example.com",
                List.of("svc.example.com"),
                List.of("10.0.0.5"),
                List.of(),
                SubjectPublicKeyInfo.getInstance(leafKeys.getPublic().getEncoded()),
                false,
                tlsServer,
                now,
                now.plus(Duration.ofDays(90)));
        Function<String, List<String>> withIp = ip -> {
            try {
                return lint(
                        tbs(
                                t,
                                GOOD_SERIAL,
                                b -> replace(
                                        b,
                                        Extension.subjectAlternativeName,
                                        false,
                                        GeneralNames.getInstance(new DERSequence(new ASN1Encodable[] {
                                            new GeneralName(GeneralName.dNSName, "svc.example.com"),
                                            new GeneralName(GeneralName.iPAddress, ip)
                                        })))),
                        t);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertEquals(List.of(), withIp.apply("10.0.0.5"));
        List<String> p = withIp.apply("10.0.0.6");
        assertTrue(p.contains("subjectAltName has an unapproved IP address"), "same count, other address: " + p);
    }

    @Test
    void catchesValidityOverTheCapAndPastTheCa() throws Exception {
        Instant now = Instant.now();
        LeafTemplate t = template();
        LeafTemplate tooLong = new LeafTemplate(
                t.commonName(),
                t.dnsNames(),
                t.ipAddresses(),
                t.uris(),
                t.publicKey(),
                false,
                tlsServer,
                now,
                now.plus(Duration.ofDays(2000)));
        List<String> p = lint(tbs(tooLong, GOOD_SERIAL, b -> {}), tooLong);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("validity exceeds")), p.toString());
        assertTrue(p.contains("notAfter is past the issuing CA's notAfter"), p.toString());
    }

    private static void replace(
            X509v3CertificateBuilder b, ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            b.replaceExtension(oid, critical, value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aProfileWithoutRevocationPointersLivesAtMostSevenDays() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> Profile.of(new ProfileConfig(
                        "no-pointers",
                        List.of("digitalSignature"),
                        List.of("serverAuth"),
                        30,
                        Duration.ofMinutes(5),
                        true,
                        true,
                        null,
                        null,
                        false)));
        assertTrue(e.getMessage().contains("at most 7 days"), e.getMessage());
        assertEquals(
                7,
                Profile.of(new ProfileConfig(
                                "short",
                                List.of("digitalSignature"),
                                List.of("serverAuth"),
                                7,
                                Duration.ofMinutes(5),
                                true,
                                true,
                                null,
                                Duration.ofHours(24),
                                false))
                        .maxValidityDays());
    }
}
