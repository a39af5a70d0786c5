package dev.hsmca.appliance.x509;

import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/** The identifier and pointer extensions every certificate of this CA carries. */
public final class Extensions {
    private Extensions() {}

    public static SubjectKeyIdentifier subjectKeyId(SubjectPublicKeyInfo key) {
        try {
            return new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The issuer's own SKI, as RFC 5280 §4.2.1.1 wants the AKI keyIdentifier. */
    public static byte[] keyIdOf(X509Certificate issuer) {
        try {
            SubjectKeyIdentifier ski =
                    SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(issuer).getExtensions());
            return ski != null
                    ? ski.getKeyIdentifier()
                    : subjectKeyId(SubjectPublicKeyInfo.getInstance(
                                    issuer.getPublicKey().getEncoded()))
                            .getKeyIdentifier();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subject key identifier (from the subject's key) and the authority key identifier (the issuer's). */
    public static void addIdentifiers(X509v3CertificateBuilder b, SubjectPublicKeyInfo subjectKey, byte[] issuerKeyId)
            throws CertIOException {
        b.addExtension(Extension.subjectKeyIdentifier, false, subjectKeyId(subjectKey));
        b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerKeyId));
    }

    /** Only where the issuer's certificate is (short-lived certificates: no CRL, no OCSP). */
    public static void addIssuerPointer(X509v3CertificateBuilder b, String caIssuersUrl) throws CertIOException {
        b.addExtension(
                Extension.authorityInfoAccess,
                false,
                new AuthorityInformationAccess(new AccessDescription(
                        AccessDescription.id_ad_caIssuers,
                        new GeneralName(GeneralName.uniformResourceIdentifier, caIssuersUrl))));
    }

    /** A distribution point's full name: these URLs (a CDP, a Freshest CRL pointer, an issuing distribution point). */
    public static DistributionPointName pointNamed(List<String> urls) {
        return new DistributionPointName(new GeneralNames(urls.stream()
                .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u))
                .toArray(GeneralName[]::new)));
    }

    /** One distribution point at this URL, as a certificate's CDP and a full CRL's Freshest CRL pointer carry it. */
    public static CRLDistPoint distributionPoint(String url) {
        return new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(pointNamed(List.of(url)), null, null)});
    }

    public static void addPointers(X509v3CertificateBuilder b, String crlUrl, String ocspUrl, String caIssuersUrl)
            throws CertIOException {
        b.addExtension(Extension.cRLDistributionPoints, false, distributionPoint(crlUrl));
        AccessDescription caIssuers = new AccessDescription(
                AccessDescription.id_ad_caIssuers,
                new GeneralName(GeneralName.uniformResourceIdentifier, caIssuersUrl));
        AccessDescription[] access = ocspUrl == null
                ? new AccessDescription[] {caIssuers}
                : new AccessDescription[] {
                    new AccessDescription(
                            AccessDescription.id_ad_ocsp,
                            new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl)),
                    caIssuers
                };
        b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(access));
    }
}
