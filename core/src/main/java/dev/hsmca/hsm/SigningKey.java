package dev.hsmca.hsm;

import java.security.PublicKey;
import org.bouncycastle.operator.ContentSigner;

/**
 * The signing seam: a named key whose private half never leaves the HSM.
 * Everything that signs (certificates, CRLs, OCSP responses) goes through {@link #contentSigner()}.
 */
public interface SigningKey {

    /** The key's alias in the token, e.g. {@code issuing}. */
    String alias();

    PublicKey publicKey();

    /** JCA signature algorithm this key signs with, e.g. {@code SHA256withECDSA}. */
    String signatureAlgorithm();

    /** A fresh BouncyCastle signer over the HSM key: cheap, one per signature, safe across threads. */
    ContentSigner contentSigner();
}
