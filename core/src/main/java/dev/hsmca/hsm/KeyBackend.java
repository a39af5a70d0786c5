package dev.hsmca.hsm;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Function;
import org.bouncycastle.operator.ContentSigner;

/**
 * Where the CA's keys live and sign: the one seam between the CA and its key storage (as smallstep's
 * {@code KeyManager}, xipki's {@code SignerFactory}). The SunPKCS11 backend ({@link Pkcs11Token}) is the one we
 * ship; a cloud KMS or a JCE HSM would be one more class and one more {@link KeyBackendFactory}.
 * Private keys never leave a backend: everything signs through {@link SigningKey}.
 */
public interface KeyBackend {

    /** For logs and the audit trail, e.g. {@code pkcs11:pki-ca}. Never a secret. */
    String name();

    boolean hasKey(String alias);

    /**
     * Generates a key pair inside the backend (non-extractable) and stores it under the alias with the certificate
     * {@code certify} makes for it (which may sign with the new key through {@link #selfSigner}).
     */
    SigningKey generate(String alias, KeyAlgorithm algorithm, Function<KeyPair, X509Certificate> certify);

    /** A signer over a key pair this backend just generated, for a self-signed certificate (a root). */
    ContentSigner selfSigner(KeyPair pair, KeyAlgorithm algorithm);

    SigningKey signingKey(String alias);

    /** The certificate stored with a key. */
    X509Certificate certificate(String alias);

    /**
     * Replaces the certificate stored with a key by one for the same public key (a CA certificate signed elsewhere,
     * e.g. by an offline root, for a key generated here with a placeholder).
     */
    void replaceCertificate(String alias, X509Certificate certificate);

    /** The key as a JCA handle for TLS (JSSE signs the handshake with it; the key stays inside). */
    PrivateKey tlsKey(String alias);

    void delete(String alias);

    /** Logs in again and drops cached handles (after an HSM restart or failover); {@link #generation()} moves. */
    void reconnect(char[] pin);

    /** Increases on every {@link #reconnect}: handles from an older generation are stale. */
    long generation();

    /** Told about every signature (latency, outcome): metrics. */
    void observer(SignObserver observer);
}
