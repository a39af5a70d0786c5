package dev.hsmca.hsm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidParameterException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in PKCS#11 token, reached through the JDK's SunPKCS11 provider.
 *
 * <p>Session handling: SunPKCS11 keeps its own pool of PKCS#11 sessions and hands one to each
 * {@code Signature} while it signs, so concurrent signing needs nothing more than a fresh
 * {@code Signature} per operation, which {@link #signingKey(String)} gives.
 */
public final class Pkcs11Token implements KeyBackend {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Token.class);

    private final String label;
    private final Provider provider;
    private final KeyStore keyStore;
    private final Map<String, SigningKey> keys = new ConcurrentHashMap<>();
    private volatile SignObserver observer = SignObserver.NONE;
    private final AtomicLong generation = new AtomicLong();

    private Pkcs11Token(String label, Provider provider, KeyStore keyStore) {
        this.label = label;
        this.provider = provider;
        this.keyStore = keyStore;
    }

    /** Opens the token with this label and logs in. The PIN array is not kept. */
    public static Pkcs11Token open(String library, String label, char[] pin) {
        return open(library, label, null, pin);
    }

    /**
     * Opens the token with this label through this SunPKCS11 configuration template (a file with
     * {@code ${name}}, {@code ${library}} and {@code ${slot}}; null for the built-in one) and logs in.
     */
    public static Pkcs11Token open(String library, String label, String templateFile, char[] pin) {
        Objects.requireNonNull(pin, "pin");
        String template = template(templateFile);
        long slot = SlotResolver.slotForLabel(library, label);
        String name = "hsmca-" + label.replaceAll("[^A-Za-z0-9]", "");
        Provider provider = Security.getProvider("SunPKCS11-" + name);
        if (provider == null) {
            try {
                provider = Security.getProvider("SunPKCS11").configure("--" + fill(template, name, library, slot));
            } catch (InvalidParameterException | java.security.ProviderException e) {
                throw new HsmException(
                        "SunPKCS11 refused the configuration" + (templateFile == null ? "" : " from " + templateFile)
                                + ": " + e.getMessage(),
                        e);
            }
            // JSSE finds the signature for a TLS key among installed providers only.
            Security.addProvider(provider);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS11", provider);
            ks.load(null, pin);
            LOG.info("HSM token '{}' opened (slot {}, provider {})", label, slot, provider.getName());
            return new Pkcs11Token(label, provider, ks);
        } catch (IOException e) {
            throw new HsmException("HSM login to token '" + label + "' failed: wrong PIN or token unavailable");
        } catch (GeneralSecurityException e) {
            throw new HsmException(
                    "HSM token '" + label + "' cannot be opened: "
                            + e.getClass().getSimpleName(),
                    e);
        }
    }

    static String config(String name, String library, long slot) {
        return fill(template(null), name, library, slot);
    }

    /** The template's text: the file's, or the built-in one. */
    static String template(String file) {
        if (file != null && !file.isBlank()) {
            try {
                return Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new HsmException("cannot read the SunPKCS11 template " + file + ": " + e.getMessage(), e);
            }
        }
        try (InputStream in = Pkcs11Token.class.getResourceAsStream("sunpkcs11.cfg.template")) {
            return new String(Objects.requireNonNull(in, "template").readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HsmException("cannot read the SunPKCS11 template", e);
        }
    }

    static String fill(String template, String name, String library, long slot) {
        return template.replace("${name}", name).replace("${library}", library).replace("${slot}", Long.toString(slot));
    }

    public String label() {
        return label;
    }

    @Override
    public String name() {
        return "pkcs11:" + label;
    }

    /** {@code pki.hsm.type: pkcs11}: the JDK's SunPKCS11 over the configured PKCS#11 module. */
    public static final class Factory implements KeyBackendFactory {
        @Override
        public String type() {
            return "pkcs11";
        }

        @Override
        public KeyBackend open(KeyBackendFactory.Settings settings, char[] pin) {
            return Pkcs11Token.open(settings.library(), settings.tokenLabel(), settings.configTemplate(), pin);
        }
    }

    @Override
    public ContentSigner selfSigner(KeyPair pair, KeyAlgorithm algorithm) {
        try {
            return new JcaContentSignerBuilder(algorithm.signatureAlgorithm())
                    .setProvider(provider)
                    .build(pair.getPrivate());
        } catch (OperatorCreationException e) {
            throw new HsmException("cannot sign with the new key", e);
        }
    }

    @Override
    public PrivateKey tlsKey(String alias) {
        try {
            PrivateKey key = (PrivateKey) keyStore.getKey(alias, null);
            if (key == null) {
                throw new HsmException("no HSM key '" + alias + "' in token '" + label + "'");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new HsmException("cannot load HSM key '" + alias + "'", e);
        }
    }

    @Override
    public void delete(String alias) {
        try {
            keyStore.deleteEntry(alias);
            keys.remove(alias);
        } catch (GeneralSecurityException e) {
            throw new HsmException("cannot delete HSM key '" + alias + "'", e);
        }
    }

    /**
     * Logs in again and drops every cached key handle: after the token went away and came back (HSM restart,
     * network HSM failover), old handles are dead. Callers holding keys re-fetch them ({@link #generation()}).
     */
    @Override
    public synchronized void reconnect(char[] pin) {
        try {
            keyStore.load(null, pin);
            keys.clear();
            generation.incrementAndGet();
            LOG.info("HSM token '{}' reconnected", label);
        } catch (IOException e) {
            throw new HsmException("HSM login to token '" + label + "' failed: wrong PIN or token unavailable");
        } catch (GeneralSecurityException e) {
            throw new HsmException(
                    "HSM token '" + label + "' cannot be reopened: "
                            + e.getClass().getSimpleName(),
                    e);
        }
    }

    /** Increases on every {@link #reconnect}: key handles from an older generation are stale. */
    @Override
    public long generation() {
        return generation.get();
    }

    public Provider provider() {
        return provider;
    }

    /** The token as a JCA key store (used by TLS); entries are written only by {@link #generate}. */
    public KeyStore keyStore() {
        return keyStore;
    }

    @Override
    public void observer(SignObserver observer) {
        this.observer = observer == null ? SignObserver.NONE : observer;
    }

    @Override
    public boolean hasKey(String alias) {
        try {
            return keyStore.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            throw new HsmException("cannot list HSM keys", e);
        }
    }

    /**
     * Generates a key pair inside the token (sensitive, non-extractable) and stores it under the alias with
     * the certificate that {@code certify} makes for it. The entry's chain is that one certificate only:
     * SunPKCS11 mishandles chains that repeat a certificate another entry owns.
     */
    @Override
    public SigningKey generate(String alias, KeyAlgorithm algorithm, Function<KeyPair, X509Certificate> certify) {
        if (hasKey(alias)) {
            throw new HsmException("HSM key '" + alias + "' already exists");
        }
        try {
            KeyPair pair = algorithm.generator(provider).generateKeyPair();
            X509Certificate certificate = certify.apply(pair);
            keyStore.setKeyEntry(alias, pair.getPrivate(), null, new Certificate[] {certificate});
            keys.remove(alias);
            return signingKey(alias);
        } catch (GeneralSecurityException e) {
            throw new HsmException("HSM key generation for '" + alias + "' failed: " + e.getMessage(), e);
        }
    }

    /** SunPKCS11 updates the entry's certificate in place when the new one carries the same public key. */
    @Override
    public synchronized void replaceCertificate(String alias, X509Certificate certificate) {
        if (!certificate(alias).getPublicKey().equals(certificate.getPublicKey())) {
            throw new HsmException("the certificate for '" + alias + "' is for another key than the one in the HSM");
        }
        try {
            keyStore.setKeyEntry(alias, keyStore.getKey(alias, null), null, new Certificate[] {certificate});
            keys.remove(alias);
        } catch (GeneralSecurityException e) {
            throw new HsmException("cannot store the certificate for '" + alias + "': " + e.getMessage(), e);
        }
    }

    /** The certificate stored with a key entry. */
    @Override
    public X509Certificate certificate(String alias) {
        try {
            Certificate c = keyStore.getCertificate(alias);
            if (c == null) {
                throw new HsmException("no HSM key '" + alias + "' in token '" + label + "'");
            }
            return (X509Certificate) c;
        } catch (GeneralSecurityException e) {
            throw new HsmException("cannot read HSM entry '" + alias + "'", e);
        }
    }

    @Override
    public SigningKey signingKey(String alias) {
        return keys.computeIfAbsent(alias, a -> {
            try {
                PrivateKey privateKey = (PrivateKey) keyStore.getKey(a, null);
                if (privateKey == null) {
                    throw new HsmException("no HSM key '" + a + "' in token '" + label + "'");
                }
                PublicKey publicKey = certificate(a).getPublicKey();
                return new Pkcs11Key(a, privateKey, publicKey, KeyAlgorithm.signatureAlgorithmFor(publicKey));
            } catch (GeneralSecurityException e) {
                throw new HsmException("cannot load HSM key '" + a + "'", e);
            }
        });
    }

    private final class Pkcs11Key implements SigningKey {
        private final String alias;
        private final PrivateKey privateKey;
        private final PublicKey publicKey;
        private final String algorithm;

        Pkcs11Key(String alias, PrivateKey privateKey, PublicKey publicKey, String algorithm) {
            this.alias = alias;
            this.privateKey = privateKey;
            this.publicKey = publicKey;
            this.algorithm = algorithm;
        }

        @Override
        public String alias() {
            return alias;
        }

        @Override
        public PublicKey publicKey() {
            return publicKey;
        }

        @Override
        public String signatureAlgorithm() {
            return algorithm;
        }

        @Override
        public ContentSigner contentSigner() {
            try {
                ContentSigner signer = new JcaContentSignerBuilder(algorithm)
                        .setProvider(provider)
                        .build(privateKey);
                return new ObservedContentSigner(alias, signer, observer);
            } catch (OperatorCreationException | RuntimeException e) {
                // SunPKCS11 reports a token that went away (logged out, unplugged) as a ProviderException here
                observer.signed(alias, 0, false);
                throw new HsmException("HSM signer for '" + alias + "' unavailable: " + e.getMessage(), e);
            }
        }
    }
}
