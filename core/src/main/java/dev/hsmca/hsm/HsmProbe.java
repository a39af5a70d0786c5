package dev.hsmca.hsm;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;

/** A real health check: sign a random challenge through the token and verify it with the public key. */
public final class HsmProbe {
    private static final SecureRandom RANDOM = new SecureRandom();

    private HsmProbe() {}

    public record Result(boolean up, long nanos, String error) {}

    public static Result probe(SigningKey key) {
        long start = System.nanoTime();
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            var signer = key.contentSigner();
            try (OutputStream out = signer.getOutputStream()) {
                out.write(challenge);
            }
            byte[] signature = signer.getSignature();
            Signature verifier = Signature.getInstance(key.signatureAlgorithm());
            verifier.initVerify(key.publicKey());
            verifier.update(challenge);
            boolean ok = verifier.verify(signature);
            return new Result(ok, System.nanoTime() - start, ok ? null : "signature did not verify");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return new Result(false, System.nanoTime() - start, e.getClass().getSimpleName());
        }
    }
}
