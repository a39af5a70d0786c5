package dev.hsmca.hsm;

import java.security.InvalidAlgorithmParameterException;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;

/** The key types the CA generates inside the HSM, with the signature algorithm each signs with. */
public enum KeyAlgorithm {
    EC_P256("ec-p256", "SHA256withECDSA"),
    EC_P384("ec-p384", "SHA384withECDSA"),
    RSA_3072("rsa-3072", "SHA256withRSA"),
    RSA_4096("rsa-4096", "SHA384withRSA");

    private final String id;
    private final String signatureAlgorithm;

    KeyAlgorithm(String id, String signatureAlgorithm) {
        this.id = id;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public String id() {
        return id;
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public static KeyAlgorithm parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(a -> a.id.equals(v))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("unknown key algorithm '" + value + "', expected one of "
                                + Arrays.stream(values()).map(KeyAlgorithm::id).toList()));
    }

    KeyPairGenerator generator(Provider provider) throws NoSuchAlgorithmException, InvalidAlgorithmParameterException {
        return switch (this) {
            case EC_P256, EC_P384 -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
                g.initialize(new ECGenParameterSpec(this == EC_P256 ? "secp256r1" : "secp384r1"));
                yield g;
            }
            case RSA_3072, RSA_4096 -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", provider);
                g.initialize(this == RSA_3072 ? 3072 : 4096);
                yield g;
            }
        };
    }

    /** The signature algorithm for a key already in the token (its type decides). */
    public static String signatureAlgorithmFor(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if (key instanceof RSAPublicKey rsa) {
            return rsa.getModulus().bitLength() > 3072 ? "SHA384withRSA" : "SHA256withRSA";
        }
        throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
    }
}
