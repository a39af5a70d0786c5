package dev.hsmca.ocsp.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.TestClock;
import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.Store;
import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

class KnownIssuersTest {
    static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

    record Ca(X509CertificateHolder cert, String id, String role) {
        IssuerRow row() throws Exception {
            CertificateID sha1 = id(CertificateID.HASH_SHA1, BigInteger.ONE);
            CertificateID sha256 = id(sha256Alg(), BigInteger.ONE);
            HexFormat hex = HexFormat.of();
            return new IssuerRow(
                    id,
                    role,
                    null,
                    "01",
                    hex.formatHex(sha1.getIssuerNameHash()),
                    hex.formatHex(sha1.getIssuerKeyHash()).toUpperCase(java.util.Locale.ROOT), // either case is read
                    hex.formatHex(sha256.getIssuerNameHash()),
                    hex.formatHex(sha256.getIssuerKeyHash()),
                    T0.plus(Duration.ofDays(365)),
                    cert.getEncoded(),
                    true);
        }

        CertificateID id(org.bouncycastle.asn1.x509.AlgorithmIdentifier alg, BigInteger serial) throws Exception {
            DigestCalculator digest =
                    new JcaDigestCalculatorProviderBuilder().build().get(alg);
            return new CertificateID(digest, cert, serial);
        }
    }

    static org.bouncycastle.asn1.x509.AlgorithmIdentifier sha256Alg() {
        return new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256);
    }

    static Ca ca(String name, String role) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        var keys = g.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        var cert = new JcaX509v3CertificateBuilder(
                        subject,
                        BigInteger.TEN,
                        Date.from(T0),
                        Date.from(T0.plus(Duration.ofDays(365))),
                        subject,
                        keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        return new Ca(cert, name, role);
    }

    static final class Rows implements Store.Issuers {
        final AtomicReference<List<IssuerRow>> rows = new AtomicReference<>(List.of());
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean down;

        @Override
        public Optional<IssuerRow> findById(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<IssuerRow> caCertificates() {
            reads.incrementAndGet();
            if (down) {
                throw new IllegalStateException("store down");
            }
            return rows.get();
        }

        @Override
        public Optional<IssuerRow> active(String role) {
            throw new UnsupportedOperationException();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(10);
        }
    }

    static Optional<String> found(KnownIssuers issuers, CertificateID id, String hash) {
        return issuers.find(id, hash).map(i -> i.row().id());
    }

    @Test
    void anIssuingCaIsFoundByEitherHashAndNothingElseIs() throws Exception {
        Ca issuing = ca("issuing-1", "issuing");
        Ca root = ca("root-1", "root");
        Rows rows = new Rows();
        rows.rows.set(List.of(root.row(), issuing.row()));
        KnownIssuers issuers = new KnownIssuers(rows, new TestClock(T0));

        assertEquals(
                Optional.of("issuing-1"), found(issuers, issuing.id(CertificateID.HASH_SHA1, BigInteger.TWO), "sha1"));
        assertEquals(Optional.of("issuing-1"), found(issuers, issuing.id(sha256Alg(), BigInteger.TWO), "sha256"));
        assertEquals(Optional.empty(), found(issuers, issuing.id(CertificateID.HASH_SHA1, BigInteger.TWO), "sha256"));
        assertEquals(Optional.empty(), found(issuers, root.id(CertificateID.HASH_SHA1, BigInteger.TWO), "sha1"));
        assertEquals(
                Optional.empty(),
                found(issuers, ca("other", "issuing").id(CertificateID.HASH_SHA1, BigInteger.TWO), "sha1"));
        assertEquals(2, issuers.all().size());
        assertEquals(1, rows.reads.get(), "read once");
    }

    @Test
    void laterReadsHappenAsideAndAStoreThatFailsLeavesTheListThere() throws Exception {
        Ca first = ca("issuing-1", "issuing");
        Ca second = ca("issuing-2", "issuing");
        CertificateID firstId = first.id(CertificateID.HASH_SHA1, BigInteger.TWO);
        CertificateID secondId = second.id(CertificateID.HASH_SHA1, BigInteger.TWO);
        Rows rows = new Rows();
        rows.rows.set(List.of(first.row()));
        TestClock clock = new TestClock(T0);
        KnownIssuers issuers = new KnownIssuers(rows, clock);
        assertEquals(Optional.of("issuing-1"), found(issuers, firstId, "sha1"));

        rows.rows.set(List.of(second.row()));
        clock.set(T0.plus(KnownIssuers.REFRESH).plusSeconds(1));
        assertEquals(Optional.of("issuing-1"), found(issuers, firstId, "sha1"), "the caller goes on with its list");
        await(() -> found(issuers, secondId, "sha1").isPresent(), "the list read aside is used");
        assertEquals(2, rows.reads.get());

        rows.down = true;
        clock.set(T0.plus(KnownIssuers.REFRESH.multipliedBy(3)));
        await(
                () -> {
                    found(issuers, secondId, "sha1");
                    return rows.reads.get() == 3;
                },
                "the failing read was tried");
        for (int i = 0; i < 3; i++) {
            assertTrue(found(issuers, secondId, "sha1").isPresent(), "the list read before is kept");
        }
        assertEquals(3, rows.reads.get(), "a failed read is not tried again at once");
        rows.down = false;
        clock.set(T0.plus(KnownIssuers.REFRESH.multipliedBy(3)).plus(KnownIssuers.RETRY));
        // asked until the failed read's thread is done and a new one starts (no hook to wait for the first)
        await(
                () -> {
                    found(issuers, secondId, "sha1");
                    return rows.reads.get() == 4;
                },
                "tried again after a while");
    }

    @Test
    void theHeldListIsNeverReadOnTheCallersBehalf() throws Exception {
        Ca issuing = ca("issuing-1", "issuing");
        CertificateID id = issuing.id(CertificateID.HASH_SHA1, BigInteger.TWO);
        Rows rows = new Rows();
        rows.rows.set(List.of(issuing.row()));
        KnownIssuers issuers = new KnownIssuers(rows, new TestClock(T0));
        assertEquals(
                Optional.empty(), issuers.findHeld(id, "sha1").map(i -> i.row().id()), "nothing read yet");
        assertEquals(0, rows.reads.get());
        assertEquals(Optional.of("issuing-1"), found(issuers, id, "sha1"));
        assertEquals(
                Optional.of("issuing-1"),
                issuers.findHeld(id, "sha1").map(i -> i.row().id()));
        assertEquals(1, rows.reads.get());
    }
}
