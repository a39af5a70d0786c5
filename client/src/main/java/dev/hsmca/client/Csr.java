package dev.hsmca.client;

import java.io.IOException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A PKCS#10 request for the names asked: the first is the CN, all are SANs (DNS names or IP addresses). */
final class Csr {
    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");

    private Csr() {}

    static String create(KeyPair pair, KeyType type, List<String> names) {
        if (names.isEmpty()) {
            throw new PkiClientException(PkiClientException.Kind.INVALID, "no_names", "at least one name is needed");
        }
        try {
            X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, names.get(0));
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(
                        IPV4.matcher(n).matches() || n.contains(":")
                                ? new GeneralName(GeneralName.iPAddress, n)
                                : new GeneralName(GeneralName.dNSName, n));
            }
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            PKCS10CertificationRequest req = new JcaPKCS10CertificationRequestBuilder(subject.build(), pair.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                    .build(new JcaContentSignerBuilder(type.signatureAlgorithm()).build(pair.getPrivate()));
            return Pem.encode("CERTIFICATE REQUEST", req.getEncoded());
        } catch (IOException | OperatorCreationException | IllegalArgumentException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID,
                    "invalid_name",
                    "cannot make a request for " + names + ": " + e.getMessage(),
                    e);
        }
    }
}
