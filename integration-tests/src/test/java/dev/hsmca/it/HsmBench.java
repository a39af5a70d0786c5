package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.issuance.CsrInspector;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.hsm.Pkcs11Token;
import dev.hsmca.hsm.testing.TestHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code make bench}, HSM: signatures/s through SunPKCS11 + SoftHSM2 and with software keys (the JDK's providers),
 * 1 and 2 threads, and what a CSR check costs alone. A timed loop after a warm-up, one {@link Signature} per thread
 * over a shared key, 32-byte messages (a TBS hash's worth); not JMH, whose harness would be a second build for four
 * numbers whose error bars (a few %) are far below the gaps they show.
 */
@Tag("bench")
class HsmBench {
    record Alg(String name, String keyType, Object spec, String signature) {}

    static final List<Alg> ALGS = List.of(
            new Alg("ECDSA P-256", "EC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA"),
            new Alg("ECDSA P-384", "EC", new ECGenParameterSpec("secp384r1"), "SHA384withECDSA"),
            new Alg("RSA 2048", "RSA", 2048, "SHA256withRSA"),
            new Alg("RSA 3072", "RSA", 3072, "SHA256withRSA"));

    @Test
    void signaturesPerSecond() throws Exception {
        TestHsm.Token token = TestHsm.newToken("hsmbench");
        Pkcs11Token hsm = token.open();
        StringBuilder md = new StringBuilder("## HSM and CSR checks\n\nSignatures/s, a timed loop after a warm-up "
                + "(not JMH, see HsmBench), one Signature object per thread over one key.\n\n"
                + "| Key | SoftHSM2 1 thread | SoftHSM2 2 threads | software 1 thread | software 2 threads |\n"
                + "|---|---|---|---|---|\n");
        for (Alg alg : ALGS) {
            KeyPair inHsm = generate(alg, hsm.provider());
            KeyPair software = generate(alg, null);
            md.append(String.format(
                    "| %s | %,.0f | %,.0f | %,.0f | %,.0f |%n",
                    alg.name(),
                    rate(alg, inHsm, hsm.provider(), 1),
                    rate(alg, inHsm, hsm.provider(), 2),
                    rate(alg, software, null, 1),
                    rate(alg, software, null, 2)));
        }
        Path dir = Files.createTempDirectory("hsmbench");
        String csr = Openssl.keyAndCsr(dir, "leaf", "bench.example.test", "DNS:bench.example.test");
        CsrInspector inspector = new CsrInspector();
        double csrRate = loop(1, () -> inspector.inspect(csr));
        md.append(String.format(
                "%nA P-256 CSR checked alone (PEM parse, signature, key and names; CsrInspector): "
                        + "%,.0f/s on one thread.%n",
                csrRate));
        BenchSupport.writePart("30-hsm", md.toString());
        assertTrue(csrRate > 0);
    }

    static KeyPair generate(Alg alg, Provider provider) throws Exception {
        KeyPairGenerator g = provider == null
                ? KeyPairGenerator.getInstance(alg.keyType())
                : KeyPairGenerator.getInstance(alg.keyType(), provider);
        if (alg.spec() instanceof Integer bits) {
            g.initialize(bits);
        } else {
            g.initialize((ECGenParameterSpec) alg.spec());
        }
        return g.generateKeyPair();
    }

    static double rate(Alg alg, KeyPair pair, Provider provider, int threads) throws Exception {
        byte[] message = new byte[32];
        return loop(threads, () -> {
            Signature s = provider == null
                    ? Signature.getInstance(alg.signature())
                    : Signature.getInstance(alg.signature(), provider);
            s.initSign(pair.getPrivate());
            s.update(message);
            if (s.sign().length == 0) {
                throw new IllegalStateException("empty signature");
            }
        });
    }

    interface Op {
        void run() throws Exception;
    }

    /** Operations/s over {@code threads} threads: a warm-up, then the measured run; any failure fails the bench. */
    static double loop(int threads, Op op) throws Exception {
        timed(threads, op, Duration.ofMillis(BenchSupport.SMOKE ? 100 : 1000));
        return timed(threads, op, BenchSupport.SMOKE ? Duration.ofMillis(300) : Duration.ofSeconds(3))
                .perSecond();
    }

    private static BenchSupport.Timed timed(int threads, Op op, Duration d) throws Exception {
        BenchSupport.Timed t = BenchSupport.timed(threads, d, i -> () -> {
            op.run();
            return true;
        });
        assertEquals(0, t.failed(), "operations failed");
        return t;
    }
}
