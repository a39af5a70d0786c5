package dev.hsmca.appliance.web.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Serves exactly one key: the appliance's TLS key in the HSM. The token holds the CA keys too, and a
 * stock key manager would pick whichever entry matches first. The identity is read on every handshake,
 * so a renewed certificate reaches new connections without a restart.
 */
final class PinnedKeyManager extends X509ExtendedKeyManager {
    record Identity(String alias, PrivateKey key, X509Certificate[] chain) {}

    private final Supplier<Identity> identity;

    PinnedKeyManager(Supplier<Identity> identity) {
        this.identity = identity;
    }

    private String match(String keyType) {
        Identity id = identity.get();
        String algorithm = id.key().getAlgorithm();
        boolean matches = keyType == null
                || keyType.equalsIgnoreCase(algorithm)
                || ("EC".equals(algorithm) && keyType.startsWith("EC"))
                || ("RSA".equals(algorithm) && keyType.startsWith("RSA"));
        return matches ? id.alias() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return match(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return match(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = match(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity id = identity.get();
        return id.alias().equals(alias) ? id.chain().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity id = identity.get();
        return id.alias().equals(alias) ? id.key() : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
