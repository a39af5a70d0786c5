package dev.hsmca.appliance.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.Pkcs11Token;
import dev.hsmca.hsm.SigningKey;
import dev.hsmca.hsm.testing.Shell;
import dev.hsmca.hsm.testing.TestHsm;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code make bench}: CRLs with 10 k, 100 k and 1,000,000 revoked entries, signed by a key in SoftHSM, on a 512 MiB heap.
 * Prints the time, the size and the peak heap. Tagged "bench": not part of {@code make test}.
 */
@Tag("bench")
class CrlBench {

    @Test
    void millionEntryCrlOnA512MiBHeap() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        TestHsm.Token token = TestHsm.newToken("bench");
        Pkcs11Token hsm = token.open();
        X500Name name = new X500Name("CN=Bench CA");
        SigningKey key = hsm.generate("bench-ca", KeyAlgorithm.EC_P256, pair -> {
            try {
                return new JcaX509CertificateConverter()
                        .getCertificate(new X509v3CertificateBuilder(
                                        name,
                                        BigInteger.ONE,
                                        new Date(),
                                        Date.from(Instant.now().plus(Duration.ofDays(1))),
                                        name,
                                        SubjectPublicKeyInfo.getInstance(
                                                pair.getPublic().getEncoded()))
                                .build(new JcaContentSignerBuilder("SHA256withECDSA")
                                        .setProvider(hsm.provider())
                                        .build(pair.getPrivate())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        boolean smoke = Boolean.getBoolean("bench.smoke");
        int[] sizes = smoke ? new int[] {10_000} : new int[] {10_000, 100_000, 1_000_000};
        StringBuilder md = new StringBuilder("## CRL generation\n\nStreamed to a file and signed by a P-256 key in "
                + "SoftHSM, max heap " + (maxHeap >> 20) + " MiB (target: 1 M entries under 30 s on 512 MiB).\n\n"
                + "| Entries | seconds | entries/s | size MB | peak heap MiB |\n|---|---|---|---|---|\n");
        for (int n : sizes) {
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            Path out = Files.createTempDirectory("crlbench").resolve("big.crl");
            Instant now = Instant.now();
            long start = System.nanoTime();
            CrlWriter.Result r = CrlWriter.write(
                    name,
                    new byte[20],
                    BigInteger.ONE,
                    now,
                    now.plus(Duration.ofDays(7)),
                    c -> {
                        for (int i = 0; i < n; i++) {
                            BigInteger serial = BigInteger.valueOf(i)
                                    .shiftLeft(64)
                                    .setBit(126)
                                    .add(BigInteger.valueOf(i * 31L));
                            c.accept(new CrlWriter.Entry(serial, now.minusSeconds(i % 86_400), 1 + i % 5, null));
                        }
                    },
                    key.contentSigner(),
                    out);
            double seconds = (System.nanoTime() - start) / 1e9;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed())
                    .sum();
            System.out.printf(
                    "CRL bench: %,d entries, %,d bytes, %.1f s (%.0f entries/s), max heap %d MiB, peak heap pools %d MiB%n",
                    r.entries(), r.bytes(), seconds, r.entries() / seconds, maxHeap >> 20, peak >> 20);
            md.append(String.format(
                    "| %,d | %.1f | %,.0f | %.1f | %d |%n", n, seconds, n / seconds, r.bytes() / 1e6, peak >> 20));
            assertEquals(n, r.entries());
            Shell.Result parsed = Shell.exec(
                    out.getParent(), "openssl", "crl", "-inform", "DER", "-in", "big.crl", "-noout", "-crlnumber");
            assertTrue(parsed.output().contains("crlNumber=0x01"), parsed.output());
            Files.delete(out);
        }
        Path results = Path.of(System.getProperty("bench.results", "target/bench"));
        Files.createDirectories(results);
        Files.writeString(results.resolve("45-crl.md"), md.toString());
        System.out.println(md);
    }
}
