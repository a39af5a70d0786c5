package dev.hsmca.appliance.testing;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * CSRs any client could send, made with BouncyCastle and a software key: any subject (several attributes, control
 * characters, Unicode) and DNS, IP and URI SANs. For what openssl's command line cannot express.
 */
public final class Csrs {
    /** A key and its CSR. */
    public record Csr(KeyPair key, String pem) {
        /** An mTLS client presenting this key with {@code certificatePem} and {@code chainPem}, trusting the CA's root. */
        public SSLContext identity(TestAppliance app, String certificatePem, String chainPem) {
            try {
                CertificateFactory f = CertificateFactory.getInstance("X.509");
                List<Certificate> chain = new ArrayList<>(f.generateCertificates(
                        new ByteArrayInputStream((certificatePem + chainPem).getBytes(StandardCharsets.US_ASCII))));
                KeyStore p12 = KeyStore.getInstance("PKCS12");
                p12.load(null, null);
                p12.setKeyEntry("me", key.getPrivate(), "pw".toCharArray(), chain.toArray(Certificate[]::new));
                return app.sslContext(p12, "pw".toCharArray());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Csrs() {}

    public static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CSR with subject CN {@code cn} (none when null) and these SANs. */
    public static Csr of(String cn, List<String> dns, List<String> ips, List<String> uris) {
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        if (cn != null) {
            subject.addRDN(BCStyle.CN, cn);
        }
        return withSubject(subject.build(), dns, ips, uris);
    }

    public static Csr withSubject(X500Name subject, List<String> dns, List<String> ips, List<String> uris) {
        KeyPair key = ecKey();
        try {
            JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(subject, key.getPublic());
            List<GeneralName> names = new ArrayList<>();
            dns.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            ips.forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
            uris.forEach(n -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, n)));
            if (!names.isEmpty()) {
                ExtensionsGenerator ext = new ExtensionsGenerator();
                ext.addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        GeneralNames.getInstance(new DERSequence(names.toArray(GeneralName[]::new))));
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            }
            byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                    .getEncoded();
            return new Csr(
                    key,
                    "-----BEGIN CERTIFICATE REQUEST-----\n"
                            + Base64.getMimeEncoder().encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
