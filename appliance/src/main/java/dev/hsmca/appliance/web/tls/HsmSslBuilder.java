package dev.hsmca.appliance.web.tls;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyBackend;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.netty.ssl.AbstractServerSslBuilder;
import io.micronaut.http.server.netty.ssl.CertificateProvidedSslBuilder;
import io.micronaut.http.ssl.ServerSslConfiguration;
import io.micronaut.http.ssl.SslConfiguration;
import io.netty.handler.ssl.util.SimpleKeyManagerFactory;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import jakarta.inject.Singleton;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The appliance's HTTPS identity comes from the HSM: its TLS key never leaves it, and the handshake
 * signature is made there. Protocols, ciphers and client authentication stay in configuration
 * ({@code micronaut.server.ssl.*}); the key manager is pinned to the TLS key, and client certificates are
 * checked against this CA's own root ({@link ClientTrustManager}).
 */
@Singleton
@Replaces(CertificateProvidedSslBuilder.class)
@Requires(property = "micronaut.server.ssl.enabled", value = "true")
public class HsmSslBuilder extends AbstractServerSslBuilder {
    private final ServerSslConfiguration ssl;
    private final KeyBackend keys;
    private final CaHierarchy ca;
    private volatile PinnedKeyManager.Identity identity;
    private volatile long identityGeneration = -1;

    public HsmSslBuilder(
            HttpServerConfiguration server,
            ServerSslConfiguration ssl,
            ResourceResolver resources,
            KeyBackend keys,
            CaHierarchy ca) {
        super(resources, server);
        this.ssl = ssl;
        this.keys = keys;
        this.ca = ca;
    }

    @Override
    public ServerSslConfiguration getSslConfiguration() {
        return ssl;
    }

    @Override
    protected KeyManagerFactory getKeyManagerFactory(SslConfiguration configuration) {
        PinnedKeyManager manager = new PinnedKeyManager(this::identity);
        identity(); // fail at start-up, with a clear message, when there is no TLS key yet
        return new SimpleKeyManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore, char[] password) {}

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {}

            @Override
            protected KeyManager[] engineGetKeyManagers() {
                return new KeyManager[] {manager};
            }
        };
    }

    @Override
    protected TrustManagerFactory getTrustManagerFactory(SslConfiguration configuration) {
        ClientTrustManager manager = new ClientTrustManager(
                () -> List.of(ca.root().certificate(), ca.issuing().certificate()));
        return new SimpleTrustManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore) {}

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {}

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return new TrustManager[] {manager};
            }
        };
    }

    PinnedKeyManager.Identity identity() {
        CaHierarchy.Member tls = ca.member(CaRole.TLS);
        PinnedKeyManager.Identity current = identity;
        if (current != null
                && current.chain()[0].equals(tls.certificate())
                && identityGeneration == keys.generation()) {
            return current;
        }
        PrivateKey key = keys.tlsKey(tls.record().keyAlias());
        identityGeneration = keys.generation();
        identity = new PinnedKeyManager.Identity(tls.record().keyAlias(), key, new X509Certificate[] {
            tls.certificate(), ca.issuing().certificate()
        });
        return identity;
    }
}
