package dev.hsmca.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.TestHsm;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Pkcs11TokenTest {
    private static TestHsm.Token token;
    private static TestHsm.Token untouched;
    private static Pkcs11Token hsm;

    @BeforeAll
    static void open() {
        token = TestHsm.newToken("unit");
        untouched = TestHsm.newToken("pin");
        hsm = token.open();
    }

    static X509Certificate selfSigned(KeyPair pair, String algorithm, Pkcs11Token hsm) {
        try {
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=test");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.TEN,
                    Date.from(now),
                    Date.from(now.plus(1, ChronoUnit.DAYS)),
                    name,
                    pair.getPublic());
            ContentSigner signer = new JcaContentSignerBuilder(algorithm)
                    .setProvider(hsm.provider())
                    .build(pair.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sign(SigningKey key, byte[] data) throws Exception {
        ContentSigner signer = key.contentSigner();
        try (OutputStream out = signer.getOutputStream()) {
            out.write(data);
        }
        return signer.getSignature();
    }

    static boolean verify(SigningKey key, byte[] data, byte[] sig) throws Exception {
        Signature v = Signature.getInstance(key.signatureAlgorithm());
        v.initVerify(key.publicKey());
        v.update(data);
        return v.verify(sig);
    }

    @Test
    void generatesSensitiveNonExtractableKeysInsideTheToken() throws Exception {
        SigningKey key =
                hsm.generate("attr-ec", KeyAlgorithm.EC_P256, pair -> selfSigned(pair, "SHA256withECDSA", hsm));
        hsm.generate("attr-rsa", KeyAlgorithm.RSA_3072, pair -> selfSigned(pair, "SHA256withRSA", hsm));
        assertTrue(hsm.hasKey("attr-ec"));

        // Through PKCS#11 itself, from another process: every private key is sensitive and never extractable.
        String listing = TestHsm.run(
                "pkcs11-tool",
                "--module",
                TestHsm.LIBRARY,
                "--token-label",
                token.label(),
                "--login",
                "--pin",
                new String(token.pin()),
                "--list-objects",
                "--type",
                "privkey");
        long keys =
                listing.lines().filter(l -> l.startsWith("Private Key Object")).count();
        long sensitive = listing.lines()
                .filter(l -> l.contains("Access:")
                        && l.contains("always sensitive")
                        && l.contains("never extractable")
                        && l.contains("local"))
                .count();
        assertTrue(keys >= 2, listing);
        assertEquals(keys, sensitive, listing);
        assertFalse(listing.contains("extractable,") && !listing.contains("never extractable"), listing);

        // And through the JCA: the private key has no encoding to give.
        var privateKey = hsm.keyStore().getKey("attr-ec", null);
        assertNull(privateKey.getEncoded());
        assertEquals("SHA256withECDSA", key.signatureAlgorithm());
    }

    @Test
    void replacesTheCertificateOfAKeyKeepingTheKey() throws Exception {
        SigningKey key =
                hsm.generate("replace-me", KeyAlgorithm.EC_P256, pair -> selfSigned(pair, "SHA256withECDSA", hsm));
        X509Certificate placeholder = hsm.certificate("replace-me");
        // the same public key certified by someone else (here: another HSM key), as an offline root would
        SigningKey other =
                hsm.generate("replace-signer", KeyAlgorithm.EC_P256, pair -> selfSigned(pair, "SHA256withECDSA", hsm));
        Instant now = Instant.now();
        X509Certificate real = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                new X500Name("CN=other"),
                                BigInteger.TWO,
                                Date.from(now),
                                Date.from(now.plus(1, ChronoUnit.DAYS)),
                                new X500Name("CN=replaced"),
                                placeholder.getPublicKey())
                        .build(other.contentSigner()));
        hsm.replaceCertificate("replace-me", real);
        assertEquals(real, hsm.certificate("replace-me"));
        assertTrue(hsm.hasKey("replace-me"));
        byte[] data = "still signs".getBytes(StandardCharsets.UTF_8);
        assertTrue(verify(hsm.signingKey("replace-me"), data, sign(hsm.signingKey("replace-me"), data)));
        assertThrows(
                HsmException.class,
                () -> hsm.replaceCertificate("replace-me", hsm.certificate("replace-signer")),
                "a certificate for another key is refused");
        assertEquals(key.publicKey(), hsm.signingKey("replace-me").publicKey());
    }

    @Test
    void signsAndVerifies() throws Exception {
        SigningKey key =
                hsm.generate("sign-p384", KeyAlgorithm.EC_P384, pair -> selfSigned(pair, "SHA384withECDSA", hsm));
        byte[] data = "to be signed".getBytes(StandardCharsets.UTF_8);
        byte[] sig = sign(key, data);
        assertTrue(verify(key, data, sig));
        assertFalse(verify(key, "other".getBytes(StandardCharsets.UTF_8), sig));
        assertTrue(HsmProbe.probe(key).up());
    }

    @Test
    void signsConcurrentlyFromManyThreads() throws Exception {
        SigningKey key =
                hsm.generate("concurrent", KeyAlgorithm.EC_P256, pair -> selfSigned(pair, "SHA256withECDSA", hsm));
        AtomicInteger observed = new AtomicInteger();
        hsm.observer((alias, nanos, ok) -> {
            if (ok && alias.equals("concurrent")) {
                observed.incrementAndGet();
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                byte[] data = ("message " + i).getBytes(StandardCharsets.UTF_8);
                results.add(pool.submit(() -> verify(key, data, sign(key, data))));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
            hsm.observer(null);
        }
        assertEquals(400, observed.get());
    }

    @Test
    void refusesToOverwriteAKey() {
        hsm.generate("once", KeyAlgorithm.EC_P256, pair -> selfSigned(pair, "SHA256withECDSA", hsm));
        assertThrows(
                HsmException.class,
                () -> hsm.generate("once", KeyAlgorithm.EC_P256, pair -> selfSigned(pair, "SHA256withECDSA", hsm)));
    }

    @Test
    void wrongPinIsAClearErrorWithoutThePin() {
        HsmException e = assertThrows(
                HsmException.class,
                () -> Pkcs11Token.open(TestHsm.LIBRARY, untouched.label(), "not-the-pin-123".toCharArray()));
        assertTrue(e.getMessage().contains("wrong PIN"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-pin-123"));
    }

    @Test
    void unknownLabelNamesTheLabel() {
        HsmException e = assertThrows(
                HsmException.class, () -> Pkcs11Token.open(TestHsm.LIBRARY, "no-such-token", "x".toCharArray()));
        assertTrue(e.getMessage().contains("no-such-token"), e.getMessage());
    }
}
