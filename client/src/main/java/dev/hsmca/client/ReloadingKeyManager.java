package dev.hsmca.client;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Serves whatever credentials are current, read on every handshake: after a renewal, new connections (to a Netty,
 * Jetty or JDK server, or from a client) use the new certificate with no restart; open connections are untouched.
 * The alias names the serial, so a session is never resumed across a key change by mistake.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private final Supplier<Credentials> current;

    public ReloadingKeyManager(Supplier<Credentials> current) {
        this.current = current;
    }

    private String alias(String[] keyTypes) {
        Credentials c = note(current.get());
        if (c == null) {
            return null;
        }
        String algorithm = c.key().getAlgorithm();
        for (String t : keyTypes) {
            if (t == null
                    || t.equalsIgnoreCase(algorithm)
                    || ("EC".equals(algorithm) && t.startsWith("EC"))
                    || ("RSA".equals(algorithm) && t.startsWith("RSA"))) {
                return "pki-" + c.serial();
            }
        }
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(new String[] {keyType});
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(new String[] {keyType});
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String a = alias(new String[] {keyType});
        return a == null ? null : new String[] {a};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Credentials c = byAlias(alias);
        return c == null ? null : c.presented();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Credentials c = byAlias(alias);
        return c == null ? null : c.key();
    }

    /** The current credentials, or the ones just replaced: a renewal between choosing and using an alias is fine. */
    private Credentials byAlias(String alias) {
        Credentials c = note(current.get());
        for (Credentials k : new Credentials[] {c, replaced}) {
            if (k != null && ("pki-" + k.serial()).equals(alias)) {
                return k;
            }
        }
        return null;
    }

    /** Remembers the credentials before {@code c} when {@code c} is new (an alias may have been chosen with them). */
    @SuppressWarnings("ReferenceEquality") // identity on purpose: a reload makes a new object, that is the news
    private synchronized Credentials note(Credentials c) {
        if (c != null && c != seen) {
            replaced = seen;
            seen = c;
        }
        return c;
    }

    private volatile Credentials seen;
    private volatile Credentials replaced;
}
