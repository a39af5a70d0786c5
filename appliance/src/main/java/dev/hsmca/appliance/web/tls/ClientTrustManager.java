package dev.hsmca.appliance.web.tls;

import java.net.Socket;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client certificates must chain to this CA's root. An expired one is still let through the handshake (if one
 * of this CA's certificates signed it) so that the API can answer with a clear JSON error
 * ({@code certificate_expired}) instead of a bare TLS alert; the {@code Authorizer} refuses it.
 * Certificates from any other CA fail the handshake.
 */
final class ClientTrustManager extends X509ExtendedTrustManager {
    private final Supplier<List<X509Certificate>> caCertificates; // root first

    ClientTrustManager(Supplier<List<X509Certificate>> caCertificates) {
        this.caCertificates = caCertificates;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no client certificate");
        }
        X509Certificate leaf = chain[0];
        List<X509Certificate> cas = caCertificates.get();
        if (leaf.getNotAfter().before(new Date())) {
            signedByOurCa(leaf, cas);
            return;
        }
        try {
            List<X509Certificate> pool = new ArrayList<>(Arrays.asList(chain));
            pool.addAll(cas.subList(1, cas.size()));
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters params = new PKIXBuilderParameters(Set.of(new TrustAnchor(cas.get(0), null)), target);
            params.setRevocationEnabled(false);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
            CertPathBuilder.getInstance("PKIX").build(params);
        } catch (Exception e) {
            throw new CertificateException("client certificate does not chain to this CA", e);
        }
    }

    /** An expired leaf: its signature must come from one of our own CA certificates, which are trusted as configured. */
    private static void signedByOurCa(X509Certificate leaf, List<X509Certificate> cas) throws CertificateException {
        for (X509Certificate ca : cas) {
            if (ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
                try {
                    leaf.verify(ca.getPublicKey());
                    return;
                } catch (Exception e) {
                    throw new CertificateException("client certificate was not signed by this CA", e);
                }
            }
        }
        throw new CertificateException("client certificate was not issued by this CA");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager only checks clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return caCertificates.get().toArray(X509Certificate[]::new);
    }
}
