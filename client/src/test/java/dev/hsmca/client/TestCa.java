package dev.hsmca.client;

import java.io.StringReader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A software CA for the client's tests (BouncyCastle): a root, the certificates it signs, TLS contexts. */
final class TestCa {
    private final KeyPair key = KeyType.EC_P256.generate();
    private final X509Certificate root;
    private final AtomicLong serials = new AtomicLong(0x1000);

    TestCa(String name) {
        try {
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            subject,
                            BigInteger.ONE,
                            Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(Duration.ofDays(3650))),
                            subject,
                            key.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            root = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    X509Certificate root() {
        return root;
    }

    String rootPem() {
        return Pem.certificates(List.of(root));
    }

    /** A leaf for {@code publicKey} with these names (DNS, or IP when numeric), valid in [notBefore, notAfter). */
    X509Certificate issue(PublicKey publicKey, List<String> names, Instant notBefore, Instant notAfter) {
        try {
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(
                        n.matches("[0-9.]+|.*:.*")
                                ? new GeneralName(GeneralName.iPAddress, n)
                                : new GeneralName(GeneralName.dNSName, n));
            }
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            root,
                            BigInteger.valueOf(serials.incrementAndGet()),
                            Date.from(notBefore),
                            Date.from(notAfter),
                            new X500Name("CN=" + names.get(0)),
                            publicKey)
                    .addExtension(
                            Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }));
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Credentials for these names, made here (a key and a certificate). */
    Credentials credentials(List<String> names, Instant notBefore, Instant notAfter) {
        KeyPair pair = KeyType.EC_P256.generate();
        return new Credentials(pair.getPrivate(), issue(pair.getPublic(), names, notBefore, notAfter), List.of(root));
    }

    /** What a CSR asks: its key and its SANs. */
    record Request(PublicKey publicKey, List<String> names) {}

    static Request read(String csrPem) {
        try (PEMParser p = new PEMParser(new StringReader(csrPem))) {
            JcaPKCS10CertificationRequest csr =
                    new JcaPKCS10CertificationRequest((PKCS10CertificationRequest) p.readObject());
            List<String> names = new ArrayList<>();
            var attributes = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
            Extensions ext =
                    Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
            for (GeneralName n : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName)
                    .getNames()) {
                names.add(
                        n.getTagNo() == GeneralName.iPAddress
                                ? InetAddress.getByAddress(DEROctetString.getInstance(n.getName())
                                                .getOctets())
                                        .getHostAddress()
                                : n.getName().toString());
            }
            return new Request(csr.getPublicKey(), names);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a CSR: " + e.getMessage(), e);
        }
    }

    /** A server context for localhost, signed by this root; client certificates are asked for and taken as they are. */
    SSLContext serverContext() {
        try {
            Credentials server = credentials(
                    List.of("localhost", "127.0.0.1"),
                    Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(1)));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", server.key(), new char[0], new X509Certificate[] {server.certificate(), root});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {new AnyClient()}, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fake CA judges the presented certificate itself (its validity follows the tests' clock, not the wall's). */
    private static final class AnyClient implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a server context only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
