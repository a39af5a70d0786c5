package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.Names;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;

/**
 * Checks a to-be-signed certificate against its profile before the HSM is asked to sign it
 * ("lint, then sign"). Returns every problem found; an empty list means it may be signed.
 */
public final class ProfileLinter {
    private ProfileLinter() {}

    public static List<String> lint(TBSCertificate tbs, LeafTemplate t, X509Certificate issuer, byte[] issuerKeyId) {
        List<String> problems = new ArrayList<>();
        if (tbs.getVersionNumber() != 3) {
            problems.add("not an X.509 v3 certificate");
        }
        BigInteger serial = tbs.getSerialNumber().getValue();
        if (serial.signum() <= 0 || serial.toByteArray().length > 20 || serial.bitLength() < 64) {
            problems.add("serial must be positive, at most 20 octets and at least 64 bits");
        }
        if (!tbs.getIssuer()
                .equals(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()))) {
            problems.add("issuer name differs from the issuing CA's subject");
        }
        var notBefore = tbs.getStartDate().getDate().toInstant();
        var notAfter = tbs.getEndDate().getDate().toInstant();
        if (!notBefore.isBefore(notAfter)) {
            problems.add("notBefore is not before notAfter");
        }
        if (Duration.between(notBefore, notAfter)
                        .compareTo(
                                Duration.ofDays(t.profile().maxValidityDays()).plusHours(1))
                > 0) {
            problems.add("validity exceeds the profile's " + t.profile().maxValidityDays() + " days");
        }
        if (notAfter.isAfter(issuer.getNotAfter().toInstant())) {
            problems.add("notAfter is past the issuing CA's notAfter");
        }
        if (!tbs.getSubject().equals(LeafSigner.subject(t))) {
            problems.add("subject differs from the profile's template and the approved CN");
        }
        if (!tbs.getSubjectPublicKeyInfo().equals(t.publicKey())) {
            problems.add("subject public key differs from the request");
        }
        Extensions ext = tbs.getExtensions();
        if (ext == null) {
            problems.add("no extensions");
            return problems;
        }
        checkBasicConstraints(ext, problems);
        checkKeyUsage(ext, t, problems);
        checkExtendedKeyUsage(ext, t, problems);
        checkNames(ext, tbs, t, problems);
        checkIdentifiers(ext, issuerKeyId, t.profile().revocationPointers(), problems);
        return problems;
    }

    private static void checkBasicConstraints(Extensions ext, List<String> problems) {
        Extension bc = ext.getExtension(Extension.basicConstraints);
        if (bc == null
                || !bc.isCritical()
                || BasicConstraints.getInstance(bc.getParsedValue()).isCA()) {
            problems.add("basicConstraints must be present, critical, CA:false");
        }
    }

    private static void checkKeyUsage(Extensions ext, LeafTemplate t, List<String> problems) {
        Extension ku = ext.getExtension(Extension.keyUsage);
        if (ku == null || !ku.isCritical()) {
            problems.add("keyUsage must be present and critical");
            return;
        }
        KeyUsage usage = KeyUsage.getInstance(ku.getParsedValue());
        int expected = t.profile().keyUsageFor(t.rsaKey());
        for (int bit : new int[] {
            KeyUsage.digitalSignature,
            KeyUsage.keyEncipherment,
            KeyUsage.keyAgreement,
            KeyUsage.keyCertSign,
            KeyUsage.cRLSign,
            KeyUsage.dataEncipherment,
            KeyUsage.nonRepudiation
        }) {
            if (usage.hasUsages(bit) != ((expected & bit) != 0)) {
                problems.add("keyUsage differs from the profile");
                return;
            }
        }
    }

    private static void checkExtendedKeyUsage(Extensions ext, LeafTemplate t, List<String> problems) {
        Extension eku = ext.getExtension(Extension.extendedKeyUsage);
        if (eku == null) {
            problems.add("extendedKeyUsage is missing");
            return;
        }
        Set<KeyPurposeId> found = new HashSet<>(
                Arrays.asList(ExtendedKeyUsage.getInstance(eku.getParsedValue()).getUsages()));
        if (!found.equals(new HashSet<>(t.profile().extendedKeyUsages()))) {
            problems.add("extendedKeyUsage differs from the profile");
        }
    }

    private static void checkNames(Extensions ext, TBSCertificate tbs, LeafTemplate t, List<String> problems) {
        Extension san = ext.getExtension(Extension.subjectAlternativeName);
        int count = t.dnsNames().size() + t.ipAddresses().size() + t.uris().size();
        if (san == null) {
            if (count > 0 || t.profile().requireSan()) {
                problems.add("subjectAltName is missing");
            }
            if (tbs.getSubject().getRDNs().length == 0) {
                problems.add("empty subject and no subjectAltName");
            }
            return;
        }
        GeneralName[] names = GeneralNames.getInstance(
                        ASN1OctetString.getInstance(san.getExtnValue()).getOctets())
                .getNames();
        if (names.length != count || names.length == 0) {
            problems.add("subjectAltName does not hold exactly the approved names");
        }
        for (GeneralName n : names) {
            if (n.getTagNo() == GeneralName.dNSName) {
                String name = n.getName().toString();
                if (Names.dnsName(name) == null || !t.dnsNames().contains(name)) {
                    problems.add("subjectAltName has an unapproved DNS name");
                }
            } else if (n.getTagNo() == GeneralName.iPAddress) {
                if (!t.ipAddresses().contains(ipText(n))) {
                    problems.add("subjectAltName has an unapproved IP address");
                }
            } else if (n.getTagNo() == GeneralName.uniformResourceIdentifier) {
                if (!t.uris().contains(n.getName().toString())) {
                    problems.add("subjectAltName has an unapproved URI");
                }
            } else {
                problems.add("subjectAltName has a name that is neither DNS, IP nor URI");
            }
        }
    }

    /** An iPAddress SAN in the canonical text form the template holds ({@link Names#ipAddress}). */
    private static String ipText(GeneralName n) {
        try {
            byte[] octets = ASN1OctetString.getInstance(n.getName()).getOctets();
            return Names.ipAddress(InetAddress.getByAddress(octets).getHostAddress());
        } catch (UnknownHostException | IllegalArgumentException e) {
            return "";
        }
    }

    private static void checkIdentifiers(Extensions ext, byte[] issuerKeyId, boolean pointers, List<String> problems) {
        if (ext.getExtension(Extension.subjectKeyIdentifier) == null) {
            problems.add("subjectKeyIdentifier is missing");
        }
        Extension aki = ext.getExtension(Extension.authorityKeyIdentifier);
        if (aki == null
                || !Arrays.equals(
                        AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifierOctets(),
                        issuerKeyId)) {
            problems.add("authorityKeyIdentifier is missing or is not the issuing CA's key id");
        }
        checkPointers(ext, pointers, problems);
    }

    /**
     * With revocation pointers: a CRL distribution point, OCSP and caIssuers; without (short-lived): caIssuers only,
     * and a lifetime of at most {@link Profile#SHORT_LIVED_MAX_DAYS} days.
     */
    private static void checkPointers(Extensions ext, boolean pointers, List<String> problems) {
        if ((ext.getExtension(Extension.cRLDistributionPoints) == null) == pointers) {
            problems.add(
                    pointers ? "cRLDistributionPoints is missing" : "cRLDistributionPoints in a short-lived profile");
        }
        Extension aia = ext.getExtension(Extension.authorityInfoAccess);
        if (aia == null) {
            problems.add("authorityInfoAccess is missing");
            return;
        }
        var methods = Arrays.stream(AuthorityInformationAccess.getInstance(aia.getParsedValue())
                        .getAccessDescriptions())
                .map(AccessDescription::getAccessMethod)
                .toList();
        if (!methods.contains(AccessDescription.id_ad_caIssuers)) {
            problems.add("authorityInfoAccess needs caIssuers");
        }
        if (methods.contains(AccessDescription.id_ad_ocsp) != pointers) {
            problems.add(pointers ? "authorityInfoAccess needs OCSP" : "an OCSP URL in a short-lived profile");
        }
    }
}
