package dev.hsmca.it;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A revocation does not wait for the CRL: with 100,000 revoked certificates in the store it answers as fast as with
 * 10 (both printed: a benchmark figure, not a timed assertion), no CRL is made inside the request (none is stored
 * when it answers), and the CRL that lists it is published within the configured delay.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationLatencyTest implements TestPropertyProvider {
    static final int BULK = Integer.getInteger("bench.revoked", 100_000);
    static final Duration DELAY = Duration.ofSeconds(2);
    static final TestAppliance APP = TestAppliance.postgres()
            .with("pki.crl.publish-delay", DELAY.toMillis() + "ms").with("pki.jobs.initial-delay", "1h").initialize();

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void revocationLatencyDoesNotGrowWithTheCrl() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "latency");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        Api admin = new Api(APP.adminSsl(), server.getPort());
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            HttpResponse<String> r = admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30));
            assertEquals(201, r.statusCode(), r.body());
            serials.add((String) Api.parse(r).get("serial"));
        }
        revoke(admin, serials.subList(0, 5)); // warm-up
        awaitCrlListing(serials.get(4), Duration.ofSeconds(30));
        insertRevoked(10);
        long small = median(revoke(admin, serials.subList(5, 15)));
        awaitCrlListing(serials.get(14), Duration.ofSeconds(30));
        insertRevoked(BULK);
        long crlBefore = latestCrlNumber();
        List<Long> bigTimes = revoke(admin, serials.subList(15, 25));
        assertEquals(crlBefore, latestCrlNumber(), "no CRL is made inside the revocation request");
        Instant answered = Instant.now();
        long published = awaitCrlListing(serials.get(24), DELAY.plusSeconds(60));
        long publishedAfter = Duration.between(answered, Instant.ofEpochMilli(published)).toMillis();
        System.out.printf("revocation latency (median of 10, HTTPS): %d ms with ~10 revoked, %d ms with %,d revoked; "
                        + "the CRL listing it (%,d entries) stored %d ms after the answer (publish delay %d ms)%n",
                small, median(bigTimes), BULK + 24, BULK + 24, publishedAfter, DELAY.toMillis());
        assertTrue(publishedAfter < DELAY.toMillis() + 60_000, "published within the delay plus the CRL's own time");
    }

    private static List<Long> revoke(Api admin, List<String> serials) {
        List<Long> times = new ArrayList<>();
        for (String serial : serials) {
            long start = System.nanoTime();
            HttpResponse<String> r = admin.postJson("/api/v1/certificates/" + serial + "/revoke", Map.of("reason", "keyCompromise"));
            times.add((System.nanoTime() - start) / 1_000_000);
            assertEquals(200, r.statusCode(), r.body());
        }
        return times;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(APP.properties().get("datasources.default.url"), "pki", "");
    }

    /** Revoked certificates straight into the store (the CRL reads serial, time and reason). */
    private static void insertRevoked(int n) throws Exception {
        try (Connection c = db()) {
            c.setAutoCommit(false);
            String issuer;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT id FROM ca_certificates WHERE active_role = 'issuing'")) {
                rs.next();
                issuer = rs.getString(1);
            }
            Timestamp now = Timestamp.from(Instant.now());
            Timestamp later = Timestamp.from(Instant.now().plus(Duration.ofDays(30)));
            try (PreparedStatement s = c.prepareStatement("INSERT INTO certificates (serial, issuer_id, subject_dn, dns_names, "
                    + "ip_addresses, profile, status, not_before, not_after, revoked_at, revocation_reason, certificate_der, created_at) "
                    + "VALUES (?, ?, 'CN=bulk', '', '', 'tls-server', 'revoked', ?, ?, ?, 'superseded', ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    s.setString(1, new BigInteger(1, java.util.UUID.randomUUID().toString().replace("-", "").getBytes()).toString(16).substring(0, 32));
                    s.setString(2, issuer);
                    s.setTimestamp(3, now);
                    s.setTimestamp(4, later);
                    s.setTimestamp(5, now);
                    s.setBytes(6, new byte[]{0});
                    s.setTimestamp(7, now);
                    s.addBatch();
                    if (i % 1000 == 999) {
                        s.executeBatch();
                    }
                }
                s.executeBatch();
            }
            c.commit();
        }
    }

    private static long latestCrlNumber() throws Exception {
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT COALESCE(MAX(crl_number), 0) FROM crls WHERE ca_id = (SELECT id FROM ca_certificates WHERE active_role = 'issuing')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Polls until the newest issuing-CA CRL lists the serial; the time it was seen. */
    private static long awaitCrlListing(String serial, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery("SELECT crl_der FROM crls WHERE ca_id = "
                    + "(SELECT id FROM ca_certificates WHERE active_role = 'issuing') ORDER BY crl_number DESC LIMIT 1")) {
                if (rs.next()) {
                    X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509")
                            .generateCRL(new ByteArrayInputStream(rs.getBytes(1)));
                    if (crl.getRevokedCertificate(new BigInteger(serial, 16)) != null) {
                        return System.currentTimeMillis();
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no CRL lists " + serial + " within " + timeout);
    }
}
