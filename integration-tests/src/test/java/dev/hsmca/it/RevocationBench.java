package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code make bench}, revocation at CRL sizes of 10 k, 100 k and 1 M revoked entries (PostgreSQL): the revocation's
 * own latency over HTTPS (no CRL is made inside it), how long after the answer its CRL shard and the delta listing it
 * are stored, their sizes, and the full CRL's time and size at the same count.
 */
@Tag("bench")
@MicronautTest(transactional = false)
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class RevocationBench implements TestPropertyProvider {
    static final Duration DELAY = Duration.ofMillis(500);
    static final int SHARDS = 256; // the default
    static final TestAppliance APP = TestAppliance.postgres()
            .with("pki.crl.publish-delay", DELAY.toMillis() + "ms")
            .with("pki.crl.shards", String.valueOf(SHARDS))
            .with("pki.crl.full-interval", "1h") // the product's design: the delta and shards, the full on a schedule
            .with("pki.jobs.initial-delay", "1h")
            .initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    dev.hsmca.appliance.crl.CrlService crls;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void revocationAtEachCrlSize() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "revbench");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        Api admin = new Api(APP.adminSsl(), server.getPort());
        int[] sizes = BenchSupport.SMOKE ? new int[] {1_000} : new int[] {10_000, 100_000, 1_000_000};
        StringBuilder md = new StringBuilder("## Revocation and CRL size\n\nPostgreSQL; the revoked entries are put "
                + "straight into the store (spread over " + SHARDS + " shards), then 10 certificates are revoked over "
                + "HTTPS one after another (a burst: ten shards made one after another), then one more alone. Shards and "
                + "the full CRL's delta are made after commit (pki.crl.partition-delay, default 500 ms); the full CRL "
                + "is made on its schedule, timed here on its own. Times are from the revocation's answer to the CRL "
                + "listing it stored.\n\n"
                + "| Revoked entries | revocation p50 ms | revocation max ms | shard, last of the burst (ms) | "
                + "delta, last of the burst (ms) | shard, alone (ms) | shard KB | delta KB | full CRL made in (ms) | "
                + "full CRL MB |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        int inserted = 0;
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 12 * sizes.length + 1; i++) {
            HttpResponse<String> r = admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30));
            assertEquals(201, r.statusCode(), r.body());
            serials.add((String) Api.parse(r).get("serial"));
        }
        Revocations.revoke(admin, serials.subList(0, 1)); // warm-up
        int next = 1;
        for (int size : sizes) {
            Revocations.insertRevoked(APP, size - inserted, SHARDS);
            inserted = size;
            List<String> batch = serials.subList(next, next + 10);
            String alone = serials.get(next + 10);
            next += 11;
            List<Long> times = Revocations.revoke(admin, batch);
            Instant answered = Instant.now();
            String last = batch.get(9);
            int shard = new java.math.BigInteger(last, 16)
                    .mod(java.math.BigInteger.valueOf(SHARDS))
                    .intValueExact();
            long[] shardSeen = Revocations.awaitPartListing(APP, shard, last, Duration.ofMinutes(5));
            long[] deltaSeen = Revocations.awaitPartListing(APP, -1, last, Duration.ofMinutes(5));
            Revocations.revoke(admin, List.of(alone));
            Instant aloneAnswered = Instant.now();
            int aloneShard = new java.math.BigInteger(alone, 16)
                    .mod(java.math.BigInteger.valueOf(SHARDS))
                    .intValueExact();
            long[] aloneSeen = Revocations.awaitPartListing(APP, aloneShard, alone, Duration.ofMinutes(5));
            var full = crls.generate(dev.hsmca.core.CaRole.ISSUING, "bench");
            md.append(String.format(
                    "| %,d | %d | %d | %,d | %,d | %,d | %,.0f | %,.1f | %,d | %.1f |%n",
                    size,
                    Revocations.median(times),
                    times.stream().mapToLong(Long::longValue).max().orElseThrow(),
                    Duration.between(answered, Instant.ofEpochMilli(shardSeen[0]))
                            .toMillis(),
                    Duration.between(answered, Instant.ofEpochMilli(deltaSeen[0]))
                            .toMillis(),
                    Duration.between(aloneAnswered, Instant.ofEpochMilli(aloneSeen[0]))
                            .toMillis(),
                    shardSeen[1] / 1e3,
                    deltaSeen[1] / 1e3,
                    full.millis(),
                    full.bytes() / 1e6));
        }
        BenchSupport.writePart("40-revocation", md.toString());
    }
}
