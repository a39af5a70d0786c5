package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CrlPartitions;
import dev.hsmca.appliance.ca.UrlConfig;
import dev.hsmca.appliance.x509.Extensions;
import dev.hsmca.appliance.x509.SerialNumbers;
import dev.hsmca.core.Asn1Times;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Builds an end-entity certificate, lints the to-be-signed part against the profile, and only then has the
 * issuing CA's HSM key sign it.
 */
@Singleton
public class LeafSigner {
    private final CaHierarchy ca;
    private final UrlConfig urls;
    private final CrlPartitions partitions;

    public LeafSigner(CaHierarchy ca, UrlConfig urls, CrlPartitions partitions) {
        this.ca = ca;
        this.urls = urls;
        this.partitions = partitions;
    }

    public X509Certificate sign(LeafTemplate t) {
        CaHierarchy.Member issuing = ca.issuing();
        X509Certificate issuer = issuing.certificate();
        byte[] issuerKeyId = Extensions.keyIdOf(issuer);
        try {
            X509v3CertificateBuilder builder = builder(t, issuer, issuing.id(), issuerKeyId);
            AlgorithmIdentifier sigAlg = new DefaultSignatureAlgorithmIdentifierFinder()
                    .find(issuing.key().signatureAlgorithm());
            X509CertificateHolder draft = builder.build(new DraftSigner(sigAlg));
            List<String> problems =
                    ProfileLinter.lint(draft.toASN1Structure().getTBSCertificate(), t, issuer, issuerKeyId);
            if (!problems.isEmpty()) {
                throw new LintException(problems);
            }
            X509CertificateHolder signed = builder.build(issuing.key().contentSigner());
            if (!Arrays.equals(
                    signed.toASN1Structure().getTBSCertificate().getEncoded(),
                    draft.toASN1Structure().getTBSCertificate().getEncoded())) {
                throw new LintException(List.of("signed certificate differs from the linted one"));
            }
            return new JcaX509CertificateConverter().getCertificate(signed);
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("certificate encoding failed", e);
        }
    }

    private X509v3CertificateBuilder builder(
            LeafTemplate t, X509Certificate issuer, String issuerName, byte[] issuerKeyId) throws CertIOException {
        BigInteger serial = SerialNumbers.next();
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(
                X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                serial,
                Asn1Times.time(t.notBefore()),
                Asn1Times.time(t.notAfter()),
                subject(t),
                t.publicKey());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(t.profile().keyUsageFor(t.rsaKey())));
        b.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(t.profile().extendedKeyUsages().toArray(KeyPurposeId[]::new)));
        List<GeneralName> names = new ArrayList<>();
        t.dnsNames().forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
        t.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        t.uris().forEach(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
        if (!names.isEmpty()) {
            b.addExtension(
                    Extension.subjectAlternativeName,
                    t.commonName() == null && t.profile().subject().isEmpty(),
                    GeneralNames.getInstance(new DERSequence(names.toArray(GeneralName[]::new))));
        }
        Extensions.addIdentifiers(b, t.publicKey(), issuerKeyId);
        if (t.profile().revocationPointers()) {
            Extensions.addPointers(
                    b, partitions.distributionPoint(issuerName, serial), urls.ocsp(), urls.caIssuers(issuerName));
        } else {
            Extensions.addIssuerPointer(b, urls.caIssuers(issuerName));
        }
        return b;
    }

    /** The profile's fixed attributes, then the CN the policy authority chose (if any). */
    static X500Name subject(LeafTemplate t) {
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        t.profile().subject().forEach(a -> subject.addRDN(a.type(), a.value()));
        if (t.commonName() != null) {
            subject.addRDN(BCStyle.CN, t.commonName());
        }
        return subject.build();
    }

    /** Stands in for the HSM while the draft is built for linting; its signature is never used. */
    private record DraftSigner(AlgorithmIdentifier algorithm) implements ContentSigner {
        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return algorithm;
        }

        @Override
        public OutputStream getOutputStream() {
            return new ByteArrayOutputStream();
        }

        @Override
        public byte[] getSignature() {
            return new byte[64];
        }
    }
}
