package dev.hsmca.ocsp.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Rows in memory against a real PostgreSQL migrated by the shared migrations (whose triggers announce changes): served
 * from memory while the feed is up, dropped at once when a row changes, never served stale across a lost feed.
 */
class FeedCacheTest {
    static final String ISSUER = "ca1";
    static String url;

    final String app = "feed-" + UUID.randomUUID().toString().substring(0, 8);
    final AtomicInteger reads = new AtomicInteger();
    volatile Runnable duringRead = () -> {};
    FeedCache<PresignedRow> cache;

    @BeforeAll
    static void database() throws Exception {
        String admin = System.getenv("PKI_TEST_PG_URL");
        assertNotNull(admin, "PKI_TEST_PG_URL is not set: run the suite with 'make test', which starts a PostgreSQL");
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        url = admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        sql("INSERT INTO ca_certificates (id, role, key_alias, subject_dn, serial, key_algorithm, name_hash_sha1, "
                + "key_hash_sha1, name_hash_sha256, key_hash_sha256, not_before, not_after, certificate_der, active, "
                + "created_at) VALUES ('" + ISSUER
                + "', 'issuing', 'k', 'CN=ca', '1', 'EC', 'a', 'b', 'c', 'd', now(), "
                + "now(), '\\x00', TRUE, now())");
    }

    PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setApplicationName(app);
        return ds;
    }

    @BeforeEach
    void feed() {
        cache = new FeedCache<>(
                "ocsp_responses",
                List.of("sha1", "sha256"),
                (issuerId, serial, hash) -> {
                    reads.incrementAndGet();
                    Optional<PresignedRow> row = read(serial, hash, issuerId);
                    duringRead.run();
                    return row;
                },
                dataSource(),
                100);
        await(cache::listening, "the change feed comes up");
    }

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void servedFromMemoryAndDroppedAtOnceWhenTheResponseChanges() throws Exception {
        String serial = certificate("v1");
        assertNull(cache.peek(ISSUER, serial, "sha1"), "not read yet: not in memory, and peek reads no store");
        assertEquals(0, reads.get());
        assertEquals("v1", der(serial));
        assertEquals("v1", der(serial));
        assertEquals(1, reads.get(), "the second answer came from memory");
        assertNotNull(cache.peek(ISSUER, serial, "sha1"), "held in memory once read");
        assertNull(cache.peek(ISSUER, serial, "sha256"), "another variant was not read");

        sql("UPDATE ocsp_responses SET response_der = '" + hex("v2") + "', status = 'revoked' WHERE serial = '" + serial
                + "'");
        long start = System.nanoTime();
        await(() -> "v2".equals(der(serial)), "the changed response is served");
        System.out.printf("change seen after %.1f ms%n", (System.nanoTime() - start) / 1e6);

        sql("DELETE FROM ocsp_responses WHERE serial = '" + serial + "'");
        await(() -> cache.find(ISSUER, serial, "sha1").isEmpty(), "a removed response is not served");
    }

    @Test
    void aRowReadWhileAChangeArrivesIsNotKept() throws Exception {
        String serial = certificate("v1");
        // the announcement is handled while this request is between its read and its put
        duringRead = () -> cache.changed(ISSUER + " " + serial);
        assertEquals("v1", der(serial));
        duringRead = () -> {};
        assertEquals("v1", der(serial));
        assertEquals(2, reads.get(), "the row read across the change was not kept");
        assertEquals("v1", der(serial));
        assertEquals(2, reads.get(), "a clean read is kept");
    }

    @Test
    void nothingStaleIsServedAcrossALostFeed() throws Exception {
        String serial = certificate("v1");
        assertEquals("v1", der(serial));
        // a change the feed cannot announce: the cache still serves the old bytes (it is memory) ...
        sql("ALTER TABLE ocsp_responses DISABLE TRIGGER ocsp_responses_changed");
        try {
            sql("UPDATE ocsp_responses SET response_der = '" + hex("v2") + "' WHERE serial = '" + serial + "'");
        } finally {
            sql("ALTER TABLE ocsp_responses ENABLE TRIGGER ocsp_responses_changed");
        }
        assertEquals("v1", der(serial));
        // ... until the listening connection is lost: then the store is read, and the cache starts empty again
        sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app + "'");
        await(() -> "v2".equals(der(serial)), "the store is read once the feed is lost");
        await(cache::listening, "the feed comes back");
        assertEquals("v2", der(serial));
        int before = reads.get();
        assertEquals("v2", der(serial));
        assertEquals(before, reads.get(), "served from memory again");
        assertFalse(cache.find(ISSUER, "ffff", "sha1").isPresent());
    }

    @Test
    void aRevokedCertificatesStatusIsDroppedAtOnce() throws Exception {
        String serial = certificate("v1");
        AtomicInteger statusReads = new AtomicInteger();
        try (FeedCache<String> statuses = new FeedCache<>(
                "certificates",
                List.of(""),
                (issuerId, serial0, none) -> {
                    statusReads.incrementAndGet();
                    return Optional.ofNullable(
                            query("SELECT status FROM certificates WHERE serial = '" + serial0 + "'"));
                },
                dataSource(),
                100)) {
            await(statuses::listening, "the certificates feed comes up");
            assertEquals("valid", statuses.find(ISSUER, serial, "").orElseThrow());
            assertEquals("valid", statuses.find(ISSUER, serial, "").orElseThrow());
            assertEquals(1, statusReads.get(), "the second status came from memory");
            sql("UPDATE certificates SET status = 'revoked', revoked_at = now() WHERE serial = '" + serial + "'");
            await(() -> "revoked".equals(statuses.find(ISSUER, serial, "").orElseThrow()), "the revocation is seen");
        }
    }

    static String query(String select) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(select)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    String der(String serial) {
        return cache.find(ISSUER, serial, "sha1")
                .map(r -> new String(r.responseDer(), StandardCharsets.US_ASCII))
                .orElse(null);
    }

    static String certificate(String der) throws SQLException {
        String serial = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        sql("INSERT INTO certificates (serial, issuer_id, subject_dn, dns_names, ip_addresses, profile, status, "
                + "not_before, not_after, certificate_der, created_at) VALUES ('" + serial + "', '" + ISSUER
                + "', 'CN=x', '', '', 'p', 'valid', now(), now(), '\\x00', now())");
        for (String hash : new String[] {"sha1", "sha256"}) {
            sql("INSERT INTO ocsp_responses VALUES ('" + serial + "', '" + hash + "', '" + ISSUER + "', 'good', now(), "
                    + "now() + interval '1 day', '" + hex(der) + "')");
        }
        return serial;
    }

    static Optional<PresignedRow> read(String serial, String hash, String issuerId) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s =
                        c.prepareStatement("SELECT status, this_update, next_update, response_der FROM ocsp_responses "
                                + "WHERE serial = ? AND hash_algorithm = ? AND issuer_id = ?")) {
            s.setString(1, serial);
            s.setString(2, hash);
            s.setString(3, issuerId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new PresignedRow(
                        new PresignedRow.Key(serial, hash),
                        issuerId,
                        rs.getString(1),
                        instant(rs.getTimestamp(2)),
                        instant(rs.getTimestamp(3)),
                        rs.getBytes(4)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Instant instant(Timestamp t) {
        return t.toInstant();
    }

    static String hex(String text) {
        return "\\x" + HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII));
    }

    static void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
