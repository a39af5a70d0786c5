package dev.hsmca.appliance.web.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.hsmca.appliance.acme.AcmeProblem;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Map;
import java.util.Set;

/**
 * Flattened JWS (RFC 7515 §7.2.2) as ACME sends it, read with Nimbus JOSE+JWT; EdDSA checked by the JDK (Nimbus
 * would need Tink for it).
 */
final class Jose {
    static final Set<JWSAlgorithm> ALGORITHMS =
            Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.RS256, JWSAlgorithm.EdDSA);
    private static final byte[] ED25519_SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
    };

    private Jose() {}

    /** The three parts of a flattened JWS. */
    record Flattened(Base64URL protectedPart, Base64URL payload, Base64URL signature, JWSHeader header) {
        String payloadText() {
            return payload.toString().isEmpty() ? "" : new String(payload.decode(), StandardCharsets.UTF_8);
        }
    }

    static Flattened parse(String body) {
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(body == null ? "" : body);
        } catch (ParseException e) {
            throw AcmeProblem.malformed("the request body is not a JSON object");
        }
        Object p = json.get("protected");
        Object payload = json.get("payload");
        Object sig = json.get("signature");
        if (!(p instanceof String protectedText)
                || !(payload instanceof String payloadText)
                || !(sig instanceof String sigText)
                || json.size() != 3) {
            throw AcmeProblem.malformed("a flattened JWS with exactly protected, payload and signature is required");
        }
        try {
            Base64URL protectedPart = new Base64URL(protectedText);
            return new Flattened(
                    protectedPart, new Base64URL(payloadText), new Base64URL(sigText), JWSHeader.parse(protectedPart));
        } catch (ParseException e) {
            throw AcmeProblem.malformed("the JWS protected header cannot be read: " + e.getMessage());
        }
    }

    /** Whether the signature verifies with this key (and the key suits the algorithm). */
    static boolean verify(Flattened jws, JWK key) {
        JWSAlgorithm alg = jws.header().getAlgorithm();
        try {
            if (alg.equals(JWSAlgorithm.EdDSA)) {
                return key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve()) && ed25519(okp, jws);
            }
            JWSObject object = new JWSObject(jws.protectedPart(), jws.payload(), jws.signature());
            if (key instanceof ECKey ec
                    && ((alg.equals(JWSAlgorithm.ES256) && Curve.P_256.equals(ec.getCurve()))
                            || (alg.equals(JWSAlgorithm.ES384) && Curve.P_384.equals(ec.getCurve())))) {
                return object.verify(new ECDSAVerifier(ec));
            }
            if (key instanceof RSAKey rsa && alg.equals(JWSAlgorithm.RS256)) {
                return rsa.size() >= 2048 && object.verify(new RSASSAVerifier(rsa));
            }
            return false;
        } catch (JOSEException | ParseException | GeneralSecurityException e) {
            return false;
        }
    }

    /** An HMAC-SHA256 JWS (the External Account Binding) with this key. */
    static boolean verifyMac(Flattened jws, byte[] hmacKey) {
        try {
            return JWSAlgorithm.HS256.equals(jws.header().getAlgorithm())
                    && new JWSObject(jws.protectedPart(), jws.payload(), jws.signature())
                            .verify(new MACVerifier(hmacKey));
        } catch (JOSEException | ParseException e) {
            return false;
        }
    }

    private static boolean ed25519(OctetKeyPair okp, Flattened jws) throws GeneralSecurityException {
        byte[] x = okp.getX().decode();
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + x.length];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
        PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(pub);
        s.update((jws.protectedPart() + "." + jws.payload()).getBytes(StandardCharsets.US_ASCII));
        return s.verify(jws.signature().decode());
    }

    /** The public key as JCA sees it (to compare with a certificate's key). */
    static PublicKey publicKey(JWK key) {
        try {
            if (key instanceof ECKey ec) {
                return ec.toECPublicKey();
            }
            if (key instanceof RSAKey rsa) {
                return rsa.toRSAPublicKey();
            }
            if (key instanceof OctetKeyPair okp) {
                byte[] x = okp.getX().decode();
                byte[] spki = new byte[ED25519_SPKI_PREFIX.length + x.length];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
        } catch (JOSEException | GeneralSecurityException e) {
            throw AcmeProblem.malformed("unusable key: " + e.getMessage());
        }
        throw AcmeProblem.badSignatureAlgorithm("unsupported key type " + key.getKeyType());
    }

    static Map<String, Object> json(String text) {
        try {
            return JSONObjectUtils.parse(text);
        } catch (ParseException e) {
            throw AcmeProblem.malformed("the payload is not a JSON object");
        }
    }
}
