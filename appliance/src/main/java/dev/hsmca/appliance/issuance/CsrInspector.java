package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Parses a PKCS#10 PEM and checks it: signature (proof of possession), key type and size, names.
 * Accepts RSA 2048–8192, EC P-256/P-384 and Ed25519 keys; DNS, IP and URI SANs. Only syntax: which of these
 * names the certificate gets is the policy authority's decision.
 */
@Singleton
public class CsrInspector {
    static final int MAX_PEM_CHARS = 32 * 1024;
    static final int MAX_NAMES = 100;

    public InspectedCsr inspect(String pem) {
        try {
            return checked(pem);
        } catch (PkiException e) {
            throw e;
        } catch (RuntimeException e) { // BouncyCastle's ASN.1 accessors throw unchecked exceptions on odd structures
            throw PkiException.malformed("invalid_csr", "the CSR has a structure this CA cannot read");
        }
    }

    private InspectedCsr checked(String pem) {
        PKCS10CertificationRequest csr = parse(pem);
        SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
        KeyCheck key = checkKey(spki);
        verifySignature(csr, key.publicKey());
        String cn = commonName(csr);
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        readSans(csr, dns, ips, uris);
        return new InspectedCsr(spki, key.rsa(), key.description(), cn, dns, ips, uris);
    }

    private static PKCS10CertificationRequest parse(String pem) {
        if (pem == null || pem.isBlank()) {
            throw PkiException.malformed("missing_csr", "csr is required: a PKCS#10 request in PEM");
        }
        if (pem.length() > MAX_PEM_CHARS) {
            throw PkiException.malformed("csr_too_large", "csr is larger than " + MAX_PEM_CHARS + " characters");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (!(o instanceof PKCS10CertificationRequest csr)) {
                throw PkiException.malformed(
                        "invalid_csr",
                        "csr is not a PEM 'CERTIFICATE REQUEST'"
                                + (o == null ? "" : " (found " + o.getClass().getSimpleName() + ")"));
            }
            if (parser.readObject() != null) {
                throw PkiException.malformed("invalid_csr", "csr must hold exactly one PEM block");
            }
            return csr;
        } catch (IOException | RuntimeException e) {
            if (e instanceof PkiException api) {
                throw api;
            }
            throw PkiException.malformed("invalid_csr", "csr is not valid PEM-encoded PKCS#10");
        }
    }

    private record KeyCheck(boolean rsa, String description, PublicKey publicKey) {}

    private static KeyCheck checkKey(SubjectPublicKeyInfo spki) {
        ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
        try {
            if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                RSAPublicKey rsa = (RSAPublicKey) decode("RSA", spki);
                int bits = rsa.getModulus().bitLength();
                if (bits < 2048) {
                    throw PkiException.malformed(
                            "weak_key", "RSA key of " + bits + " bits: at least 2048 are required");
                }
                if (bits > 8192) {
                    throw PkiException.malformed(
                            "unsupported_key", "RSA key of " + bits + " bits: at most 8192 are accepted");
                }
                return new KeyCheck(true, "rsa-" + bits, rsa);
            }
            if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                Object params = spki.getAlgorithm().getParameters();
                if (X9ObjectIdentifiers.prime256v1.equals(params)) {
                    return new KeyCheck(false, "ec-p256", decode("EC", spki));
                }
                if (SECObjectIdentifiers.secp384r1.equals(params)) {
                    return new KeyCheck(false, "ec-p384", decode("EC", spki));
                }
                throw PkiException.malformed("weak_key", "EC key on an unsupported curve: P-256 or P-384 are accepted");
            }
            if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
                return new KeyCheck(false, "ed25519", decode("Ed25519", spki));
            }
        } catch (GeneralSecurityException | IOException | ClassCastException e) {
            throw PkiException.malformed("invalid_csr", "csr public key cannot be decoded");
        }
        throw PkiException.malformed(
                "unsupported_key",
                "unsupported key algorithm " + alg.getId() + ": RSA (2048+), EC P-256/P-384 or Ed25519 are accepted");
    }

    /** Decoded by algorithm name: the JDK's providers do not all know key algorithms by OID, as BC asks. */
    private static PublicKey decode(String algorithm, SubjectPublicKeyInfo spki)
            throws GeneralSecurityException, IOException {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
    }

    /**
     * BouncyCastle's provider, for CSR signatures only: on JDK 17 it verifies P-256 several times faster than SunEC,
     * whose verify dominated issuance's profile (figures in bench/results/measurements.md).
     */
    private static final Provider VERIFIER = new BouncyCastleProvider();

    /**
     * The common signature algorithms, verified with one {@link Signature}: BouncyCastle's content verifier for these
     * checks the signature twice (its raw-signature path verifies again, for PKCS#11 sessions), which doubled the
     * CPU of every CSR check. Anything else (RSASSA-PSS and its parameters) goes through the content verifier.
     */
    private static final Map<ASN1ObjectIdentifier, String> DIRECT = Map.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA",
            PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
            PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
            PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519");

    private static void verifySignature(PKCS10CertificationRequest csr, PublicKey key) {
        boolean valid;
        try {
            AlgorithmIdentifier algorithm = csr.getSignatureAlgorithm();
            String direct = DIRECT.get(algorithm.getAlgorithm());
            if (direct != null && absentOrNull(algorithm)) {
                Signature signature = Signature.getInstance(direct, VERIFIER);
                signature.initVerify(key);
                signature.update(
                        csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
                valid = signature.verify(csr.getSignature());
            } else {
                valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .setProvider(VERIFIER)
                        .build(key));
            }
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            throw PkiException.malformed(
                    "csr_signature_invalid",
                    "the CSR signature does not verify with its public key (no proof of possession)");
        }
    }

    /** ECDSA and Ed25519 name no parameters, PKCS#1 RSA a NULL: anything else is left to the content verifier. */
    private static boolean absentOrNull(AlgorithmIdentifier algorithm) {
        return algorithm.getParameters() == null || DERNull.INSTANCE.equals(algorithm.getParameters());
    }

    private static String commonName(PKCS10CertificationRequest csr) {
        RDN[] cns = csr.getSubject().getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return null;
        }
        if (cns.length > 1 || cns[0].isMultiValued()) {
            throw PkiException.malformed("invalid_subject", "the subject has more than one CN");
        }
        // the value itself, not IETFUtils' escaped text: the policy authority judges what it names
        var value = cns[0].getFirst().getValue();
        String cn = value instanceof ASN1String text ? text.getString() : null;
        if (cn == null) {
            throw PkiException.malformed("invalid_subject", "subject CN is not a string");
        }
        if (cn.length() > 64) {
            throw PkiException.malformed("invalid_subject", "subject CN is longer than 64 characters");
        }
        return cn;
    }

    private static void readSans(
            PKCS10CertificationRequest csr, List<String> dns, List<String> ips, List<String> uris) {
        Set<String> seenDns = new LinkedHashSet<>();
        Set<String> seenIps = new LinkedHashSet<>();
        Set<String> seenUris = new LinkedHashSet<>();
        for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (var value : attribute.getAttrValues()) {
                Extensions extensions;
                try {
                    extensions = Extensions.getInstance(value);
                } catch (RuntimeException e) {
                    throw PkiException.malformed("invalid_csr", "csr extension request cannot be decoded");
                }
                Extension san = extensions.getExtension(Extension.subjectAlternativeName);
                if (san == null) {
                    continue;
                }
                GeneralName[] names;
                try {
                    names = GeneralNames.getInstance(ASN1OctetString.getInstance(san.getExtnValue())
                                    .getOctets())
                            .getNames();
                } catch (RuntimeException e) { // BouncyCastle's parsers throw unchecked exceptions on bad ASN.1
                    throw PkiException.malformed("invalid_san", "the CSR's subjectAltName cannot be decoded");
                }
                for (GeneralName name : names) {
                    addName(name, seenDns, seenIps, seenUris);
                }
            }
        }
        if (seenDns.size() + seenIps.size() + seenUris.size() > MAX_NAMES) {
            throw PkiException.malformed("too_many_names", "at most " + MAX_NAMES + " SANs are accepted");
        }
        dns.addAll(seenDns);
        ips.addAll(seenIps);
        uris.addAll(seenUris);
    }

    private static void addName(GeneralName name, Set<String> dns, Set<String> ips, Set<String> uris) {
        try {
            addChecked(name, dns, ips, uris);
        } catch (PkiException e) {
            throw e;
        } catch (RuntimeException e) { // a name of the right tag but the wrong ASN.1 type inside
            throw PkiException.malformed(
                    "invalid_san", "a subjectAltName of type " + name.getTagNo() + " cannot be decoded");
        }
    }

    private static void addChecked(GeneralName name, Set<String> dns, Set<String> ips, Set<String> uris) {
        switch (name.getTagNo()) {
            case GeneralName.dNSName -> {
                String raw = name.getName().toString();
                String valid = Names.dnsName(raw);
                if (valid == null) {
                    throw PkiException.malformed("invalid_san", "SAN '" + printable(raw) + "' is not a valid DNS name");
                }
                dns.add(valid);
            }
            case GeneralName.iPAddress -> {
                byte[] octets = ASN1OctetString.getInstance(name.getName()).getOctets();
                if (octets.length != 4 && octets.length != 16) {
                    throw PkiException.malformed("invalid_san", "SAN IP address has " + octets.length + " octets");
                }
                try {
                    ips.add(InetAddress.getByAddress(octets).getHostAddress());
                } catch (UnknownHostException e) {
                    throw PkiException.malformed("invalid_san", "SAN IP address cannot be decoded");
                }
            }
            case GeneralName.uniformResourceIdentifier -> {
                String raw = name.getName().toString();
                String valid = Names.uri(raw);
                if (valid == null) {
                    throw PkiException.malformed(
                            "invalid_san",
                            "SAN '" + printable(raw) + "' is not an absolute URI"
                                    + " (such as spiffe://domain/path) without commas");
                }
                uris.add(valid);
            }
            default ->
                throw PkiException.malformed(
                        "unsupported_san",
                        "only DNS, IP and URI SANs are supported, found a GeneralName of type " + name.getTagNo());
        }
    }

    static String printable(String s) {
        return Names.printable(s);
    }
}
