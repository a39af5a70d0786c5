package dev.hsmca.appliance.x509;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The issuer hashes of an OCSP CertID (RFC 6960 §4.1.1): the hash of the DER subject name and of the
 * subjectPublicKey BIT STRING value. Stored with each CA so the responder finds an issuer by hash.
 */
public record CertIdHashes(String nameSha1, String keySha1, String nameSha256, String keySha256) {

    public static CertIdHashes of(X509Certificate ca) {
        byte[] name = ca.getSubjectX500Principal().getEncoded();
        byte[] key = SubjectPublicKeyInfo.getInstance(ca.getPublicKey().getEncoded())
                .getPublicKeyData()
                .getBytes();
        return new CertIdHashes(hex("SHA-1", name), hex("SHA-1", key), hex("SHA-256", name), hex("SHA-256", key));
    }

    private static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
