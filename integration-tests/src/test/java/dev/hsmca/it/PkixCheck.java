package dev.hsmca.it;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Java's own PKIX path validation with revocation checking, OCSP only or CRL only (no fallback). */
final class PkixCheck {
    enum Mode {
        OCSP_ONLY,
        CRL_ONLY
    }

    static {
        // The JDK fetches CRLs from the distribution point only when asked to.
        System.setProperty("com.sun.security.enableCRLDP", "true");
    }

    private PkixCheck() {}

    static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static void validate(Path leaf, Path root, Path issuing, Mode mode) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        var path = cf.generateCertPath(List.of(read(leaf), read(issuing)));
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        EnumSet<PKIXRevocationChecker.Option> options =
                EnumSet.of(PKIXRevocationChecker.Option.NO_FALLBACK, PKIXRevocationChecker.Option.ONLY_END_ENTITY);
        if (mode == Mode.CRL_ONLY) {
            options.add(PKIXRevocationChecker.Option.PREFER_CRLS);
        }
        checker.setOptions(options);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(read(root), null)));
        params.addCertPathChecker(checker);
        validator.validate(path, params);
    }

    static boolean revoked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException v
                    && v.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                return true;
            }
        }
        return false;
    }
}
