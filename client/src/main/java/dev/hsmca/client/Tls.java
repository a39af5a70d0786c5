package dev.hsmca.client;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilder;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** SSL contexts that trust only this CA's root, optionally checking peers' revocation through its OCSP responder. */
final class Tls {
    private Tls() {}

    /** How peers' certificates are checked for revocation. */
    public enum Revocation {
        /** Not checked (the default: short lifetimes and renewal do most of the work). */
        OFF,
        /** OCSP through the responder in the peer certificate; a responder that does not answer is tolerated. */
        SOFT_FAIL,
        /** OCSP; a peer whose status cannot be learned is refused. */
        HARD_FAIL
    }

    static TrustManager[] trustManagers(X509Certificate root, Revocation revocation) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            if (revocation == Revocation.OFF) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setCertificateEntry("root", root);
                tmf.init(ks);
            } else {
                PKIXBuilderParameters params =
                        new PKIXBuilderParameters(Set.of(new TrustAnchor(root, null)), new X509CertSelector());
                PKIXRevocationChecker checker = (PKIXRevocationChecker)
                        CertPathBuilder.getInstance("PKIX").getRevocationChecker();
                // the peer's own certificate, through the responder its AIA names (CA certificates are on the root's
                // CRL)
                EnumSet<PKIXRevocationChecker.Option> options = EnumSet.of(
                        PKIXRevocationChecker.Option.NO_FALLBACK, PKIXRevocationChecker.Option.ONLY_END_ENTITY);
                if (revocation == Revocation.SOFT_FAIL) {
                    options.add(PKIXRevocationChecker.Option.SOFT_FAIL);
                }
                checker.setOptions(options);
                params.addCertPathChecker(checker);
                params.setRevocationEnabled(true);
                tmf.init(new CertPathTrustManagerParameters(params));
            }
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the trust manager", e);
        }
    }

    static SSLContext context(KeyManager keyManager, TrustManager[] trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(keyManager == null ? null : new KeyManager[] {keyManager}, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an SSL context", e);
        }
    }
}
