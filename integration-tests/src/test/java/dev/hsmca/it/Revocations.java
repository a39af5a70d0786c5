package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.http.HttpResponse;
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

/** Revocation steps the latency test and the bench share (no appliance of their own: the caller's). */
final class Revocations {
    private Revocations() {}

    static List<Long> revoke(Api admin, List<String> serials) {
        List<Long> times = new ArrayList<>();
        for (String serial : serials) {
            long start = System.nanoTime();
            HttpResponse<String> r =
                    admin.postJson("/api/v1/certificates/" + serial + "/revoke", Map.of("reason", "keyCompromise"));
            times.add((System.nanoTime() - start) / 1_000_000);
            assertEquals(200, r.statusCode(), r.body());
        }
        return times;
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static Connection db(TestAppliance app) throws Exception {
        return DriverManager.getConnection(app.properties().get("datasources.default.url"), "pki", "");
    }

    /** Revoked certificates straight into the store (the CRL reads serial, time and reason). */
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    static void insertRevoked(TestAppliance app, int n) throws Exception {
        insertRevoked(app, n, 0);
    }

    /** {@code shards} > 0: each row in the CRL shard its serial falls in, as a certificate issued with partitions. */
    static void insertRevoked(TestAppliance app, int n, int shards) throws Exception {
        try (Connection c = db(app)) {
            c.setAutoCommit(false);
            String issuer;
            try (ResultSet rs =
                    c.createStatement().executeQuery("SELECT id FROM ca_certificates WHERE active_role = 'issuing'")) {
                rs.next();
                issuer = rs.getString(1);
            }
            Timestamp now = Timestamp.from(Instant.now());
            Timestamp later = Timestamp.from(Instant.now().plus(Duration.ofDays(30)));
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO certificates (serial, issuer_id, subject_dn, dns_names, "
                            + "ip_addresses, profile, status, not_before, not_after, revoked_at, revocation_reason, certificate_der, created_at, crl_shard) "
                            + "VALUES (?, ?, 'CN=bulk', '', '', 'tls-server', 'revoked', ?, ?, ?, 'superseded', ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    // uniform over its 126 bits (as the CA's serials are), so the shards fill evenly
                    String serial = new BigInteger(126, RANDOM).setBit(125).toString(16);
                    s.setString(1, serial);
                    if (shards > 0) {
                        s.setInt(
                                8,
                                new BigInteger(serial, 16)
                                        .mod(BigInteger.valueOf(shards))
                                        .intValueExact());
                    } else {
                        s.setNull(8, java.sql.Types.INTEGER);
                    }
                    s.setString(2, issuer);
                    s.setTimestamp(3, now);
                    s.setTimestamp(4, later);
                    s.setTimestamp(5, now);
                    s.setBytes(6, new byte[] {0});
                    s.setTimestamp(7, now);
                    s.addBatch();
                    if (i % 1000 == 999) {
                        s.executeBatch();
                    }
                }
                s.executeBatch();
            }
            c.commit();
            // what autovacuum does soon after a bulk load in production: plans from the table's real size
            c.setAutoCommit(true);
            c.createStatement().execute("ANALYZE certificates");
        }
    }

    static long latestCrlNumber(TestAppliance app) throws Exception {
        try (Connection c = db(app);
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT COALESCE(MAX(crl_number), 0) FROM crls WHERE ca_id = (SELECT id FROM ca_certificates WHERE active_role = 'issuing')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Polls until the newest CRL of an issuing-CA part (a shard, or -1 for the delta) lists the serial; the time it was
     * seen and the CRL's size.
     */
    static long[] awaitPartListing(TestAppliance app, int part, String serial, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = db(app);
                    PreparedStatement s = c.prepareStatement("SELECT crl_der FROM crl_parts WHERE ca_id = "
                            + "(SELECT id FROM ca_certificates WHERE active_role = 'issuing') AND part = ? "
                            + "ORDER BY crl_number DESC LIMIT 1")) {
                s.setInt(1, part);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        byte[] der = rs.getBytes(1);
                        X509CRL crl = (X509CRL)
                                CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
                        if (crl.getRevokedCertificate(new BigInteger(serial, 16)) != null) {
                            return new long[] {System.currentTimeMillis(), der.length};
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no CRL of part " + part + " lists " + serial + " within " + timeout);
    }

    /** Polls until the newest issuing-CA CRL lists the serial; the time it was seen. */
    static long awaitCrlListing(TestAppliance app, String serial, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = db(app);
                    ResultSet rs = c.createStatement()
                            .executeQuery(
                                    "SELECT crl_der FROM crls WHERE ca_id = "
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
