package dev.hsmca.appliance.ca;

import dev.hsmca.appliance.x509.Extensions;
import dev.hsmca.appliance.x509.SerialNumbers;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;

/** The CA's own certificates: self-signed root, issuing CA below it, delegated OCSP signer below that. */
public final class CaCertificates {
    private final CaConfig config;
    private final UrlConfig urls;

    public CaCertificates(CaConfig config, UrlConfig urls) {
        this.config = config;
        this.urls = urls;
    }

    X500Name subject(String role) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, config.organization())
                .addRDN(BCStyle.CN, config.name() + " " + role)
                .build();
    }

    public X509Certificate root(PublicKey key, ContentSigner selfSigner, Instant now) {
        X500Name name = subject("Root CA");
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        return build(
                selfSigner,
                builder -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                    builder.addExtension(
                            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                    Extensions.addIdentifiers(
                            builder, spki, Extensions.subjectKeyId(spki).getKeyIdentifier());
                },
                name,
                name,
                spki,
                now,
                now.plus(Duration.ofDays(config.rootValidityDays())));
    }

    public X509Certificate issuing(
            PublicKey key, X509Certificate root, String rootId, ContentSigner rootSigner, Instant now) {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        return build(
                rootSigner,
                builder -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                    builder.addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
                    Extensions.addIdentifiers(builder, spki, Extensions.keyIdOf(root));
                    Extensions.addPointers(builder, urls.crl(rootId), null, urls.caIssuers(rootId));
                },
                nameOf(root),
                subject("Issuing CA"),
                spki,
                now,
                capped(now, config.issuingValidityDays(), root));
    }

    public X509Certificate ocspSigner(
            PublicKey key, X509Certificate issuing, ContentSigner issuingSigner, Instant now) {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        return build(
                issuingSigner,
                builder -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                    builder.addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
                    builder.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
                    Extensions.addIdentifiers(builder, spki, Extensions.keyIdOf(issuing));
                },
                nameOf(issuing),
                subject("OCSP Responder"),
                spki,
                now,
                capped(now, config.ocspValidityDays(), issuing));
    }

    private static X500Name nameOf(X509Certificate c) {
        return X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
    }

    private static Instant capped(Instant now, int days, X509Certificate parent) {
        Instant wanted = now.plus(Duration.ofDays(days));
        Instant limit = parent.getNotAfter().toInstant();
        return wanted.isAfter(limit) ? limit : wanted;
    }

    private interface Decorator {
        void apply(X509v3CertificateBuilder builder) throws IOException;
    }

    private static X509Certificate build(
            ContentSigner signer,
            Decorator decorator,
            X500Name issuer,
            X500Name subject,
            SubjectPublicKeyInfo spki,
            Instant notBefore,
            Instant notAfter) {
        try {
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(
                    issuer,
                    SerialNumbers.random(),
                    Date.from(notBefore.minus(Duration.ofMinutes(5))),
                    Date.from(notAfter),
                    subject,
                    spki);
            decorator.apply(b);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("CA certificate encoding failed", e);
        }
    }
}
