package dev.hsmca.client;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;

/** The key a client makes for itself, locally: it never leaves the process or the store folder. */
public enum KeyType {
    EC_P256("SHA256withECDSA"),
    RSA_2048("SHA256withRSA"),
    RSA_3072("SHA256withRSA");

    private final String signatureAlgorithm;

    KeyType(String signatureAlgorithm) {
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public KeyPair generate() {
        try {
            if (this == EC_P256) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(this == RSA_2048 ? 2048 : 3072);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + this + " key", e);
        }
    }

    /** {@code ec-p256}, {@code rsa-2048}, {@code rsa-3072}. */
    public static KeyType parse(String name) {
        for (KeyType t : values()) {
            if (t.name().replace('_', '-').equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new PkiClientException(
                PkiClientException.Kind.INVALID,
                "invalid_key_type",
                "key type must be ec-p256, rsa-2048 or rsa-3072, not '" + name + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
