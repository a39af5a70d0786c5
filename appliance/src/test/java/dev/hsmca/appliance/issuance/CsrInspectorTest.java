package dev.hsmca.appliance.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.testing.Api;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsrInspectorTest {
    private final CsrInspector inspector = new CsrInspector();

    @Test
    void acceptsAGoodEcCsr() {
        InspectedCsr csr = inspector.inspect(Api.resource("csr/ec-p256.csr"));
        assertEquals("svc.example.com", csr.commonName());
        assertEquals(List.of("svc.example.com", "api.example.com"), csr.dnsNames());
        assertEquals(List.of("10.1.2.3"), csr.ipAddresses());
        assertEquals("ec-p256", csr.keyDescription());
    }

    @ParameterizedTest
    @CsvSource({
        "csr/rsa-1024.csr, weak_key",
        "csr/ec-p521.csr, weak_key",
        "csr/bad-signature.csr, csr_signature_invalid",
        "csr/bad-san.csr, invalid_san",
        "csr/email-san.csr, unsupported_san"
    })
    void refusesBadCsrs(String fixture, String code) {
        PkiException e = assertThrows(PkiException.class, () -> inspector.inspect(Api.resource(fixture)));
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void refusesGarbage() {
        assertEquals(
                "invalid_csr",
                assertThrows(PkiException.class, () -> inspector.inspect("hello"))
                        .code());
        assertEquals(
                "missing_csr",
                assertThrows(PkiException.class, () -> inspector.inspect(" ")).code());
        String cert = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
        assertEquals(
                "invalid_csr",
                assertThrows(PkiException.class, () -> inspector.inspect(cert)).code());
    }

    /** Each signature algorithm a CSR may use verifies, and fails once one bit of its signature is flipped. */
    @ParameterizedTest
    @CsvSource({
        "EC, secp256r1, SHA256withECDSA, ec-p256",
        "EC, secp384r1, SHA384withECDSA, ec-p384",
        "EC, secp256r1, SHA512withECDSA, ec-p256",
        "RSA, 2048, SHA256withRSA, rsa-2048",
        "RSA, 2048, SHA384withRSA, rsa-2048",
        "RSA, 2048, SHA256withRSAandMGF1, rsa-2048",
        "Ed25519, -, Ed25519, ed25519"
    })
    void verifiesEachSignatureAlgorithm(String keyType, String size, String algorithm, String description)
            throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(keyType);
        if (keyType.equals("EC")) {
            g.initialize(new ECGenParameterSpec(size));
        } else if (keyType.equals("RSA")) {
            g.initialize(Integer.parseInt(size));
        }
        KeyPair pair = g.generateKeyPair();
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=alg.example.com"), pair.getPublic())
                .build(new JcaContentSignerBuilder(algorithm)
                        .setProvider(new BouncyCastleProvider())
                        .build(pair.getPrivate()))
                .getEncoded();
        assertEquals(description, inspector.inspect(pem(der)).keyDescription());
        der[der.length - 2] ^= 0x01; // inside the signature, the last field
        PkiException e = assertThrows(PkiException.class, () -> inspector.inspect(pem(der)));
        assertEquals("csr_signature_invalid", e.code());
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }
}
