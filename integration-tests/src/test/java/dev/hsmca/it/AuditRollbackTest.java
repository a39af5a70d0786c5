package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A database put back to an older state verifies cleanly on its own (its chain is intact, only shorter): the signed
 * anchor outside it is what tells. Restoring an old copy of the store makes {@code audit verify} fail and the next
 * start refuse, until an operator accepts it ({@code on-rollback=warn}, which re-anchors). An edited anchor file is
 * reported too.
 */
class AuditRollbackTest {
    // both tokens made before either is opened (SoftHSM does not see tokens made after it loaded)
    static final TestAppliance RESTORED = TestAppliance.h2();
    static final TestAppliance RUNNING = TestAppliance.postgres();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRolledBackStoreIsFound() throws Exception {
        TestAppliance app = RESTORED.initialize();
        Path dir = Files.createTempDirectory(app.dir(), "rollback");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        Path db = app.dir().resolve("db/pki.mv.db");
        Path snapshot = dir.resolve("pki.mv.db.old");

        issueAndStop(app, csr, 3);
        Files.copy(db, snapshot);
        issueAndStop(app, csr, 3);
        Path anchor = app.dir().resolve("audit/anchor");
        assertTrue(Files.exists(anchor), "the server anchored its head");
        Shell.Result before = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(0, before.exit(), before.output());

        Files.copy(snapshot, db, StandardCopyOption.REPLACE_EXISTING); // the "restore"
        Shell.Result verify = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(1, verify.exit(), verify.output());
        assertTrue(verify.output().contains("ROLLBACK"), verify.output());

        try (ApplianceProcess refused = ApplianceProcess.start(app, Map.of())) {
            assertFalse(
                    refused.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), "started on a rolled-back store");
            assertNotEquals(0, refused.exitCode());
            assertTrue(refused.log().contains("ROLLBACK"), refused.log());
        }

        // read before the start: the anchor job runs a second after the context starts, often before the port binds
        String anchoredBefore = Files.readString(anchor);
        try (ApplianceProcess accepted = ApplianceProcess.start(app, Map.of("pki.audit.on-rollback", "warn"))) {
            assertTrue(accepted.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), accepted.log());
            assertTrue(accepted.awaitLog("ROLLBACK"), "the accepted rollback is logged");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
            while (Files.readString(anchor).equals(anchoredBefore) && System.nanoTime() < deadline) {
                Thread.sleep(100); // it re-anchors the restored head within a second
            }
            assertNotEquals(anchoredBefore, Files.readString(anchor), "the accepted rollback is re-anchored");
        }
        Shell.Result after = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(0, after.exit(), after.output());

        Files.writeString(anchor, Files.readString(anchor).replaceFirst("seq=\\d+", "seq=1"));
        Shell.Result edited = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(1, edited.exit(), edited.output());
        assertTrue(edited.output().contains("TAMPERED"), edited.output());
    }

    /**
     * A restore under the running appliance (or a failover to a standby that lags): the database goes back while it
     * runs. The next periodic check finds it; issuance answers 503 audit_rollback, the metric says so, and the lower
     * head is never signed over the anchor, also not at shutdown.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aStoreThatGoesBackWhileRunningStopsIssuance() throws Exception {
        TestAppliance app = RUNNING.initialize();
        Path dir = Files.createTempDirectory(app.dir(), "running");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        Path anchor = app.dir().resolve("audit/anchor");
        String anchored;
        try (ApplianceProcess running = ApplianceProcess.start(app, Map.of())) {
            assertTrue(running.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), running.log());
            Api admin = new Api(app.adminSsl(), running.port());
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        201,
                        admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30))
                                .statusCode());
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
            while (!(anchoredSeq(anchor) >= 4 && anchoredSeq(anchor) == head(app)) && System.nanoTime() < deadline) {
                Thread.sleep(100); // sealed within 200 ms, anchored within a second
            }
            assertTrue(anchoredSeq(anchor) >= 4, Files.readString(anchor));
            anchored = Files.readString(anchor);

            goBackTo(app, 1);
            HttpResponse<String> refused = null;
            deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                refused = admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30));
                if (refused.statusCode() != 201) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("audit_rollback", Api.parse(refused).get("error"));
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            assertTrue(admin.get("/prometheus").body().contains("pki_audit_rollback 1.0"));
            assertTrue(running.awaitLog("ROLLBACK"), running.log());
            running.signal("TERM");
            assertTrue(running.waitExit(Duration.ofSeconds(60)));
        }
        assertEquals(anchored, Files.readString(anchor), "the lower head was signed over the anchor");
        Shell.Result verify = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(1, verify.exit(), verify.output());
        assertTrue(verify.output().contains("ROLLBACK"), verify.output());
    }

    static long anchoredSeq(Path anchor) throws Exception {
        if (!Files.exists(anchor)) {
            return -1;
        }
        return Files.readAllLines(anchor).stream()
                .filter(l -> l.startsWith("seq="))
                .mapToLong(l -> Long.parseLong(l.substring(4)))
                .findFirst()
                .orElse(-1);
    }

    static Connection connect(TestAppliance app) throws Exception {
        Map<String, String> p = app.properties();
        return DriverManager.getConnection(
                p.get("datasources.default.url"),
                p.get("datasources.default.username"),
                p.get("datasources.default.password"));
    }

    static long head(TestAppliance app) throws Exception {
        try (Connection c = connect(app);
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT seq FROM audit_head")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The audit tables as an older copy of the database has them: entries after {@code seq} gone. */
    static void goBackTo(TestAppliance app, long seq) throws Exception {
        try (Connection c = connect(app);
                var s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"); // not while a seal runs
            s.execute("DELETE FROM audit_log WHERE seq > " + seq);
            s.execute("UPDATE audit_head SET seq = " + seq + ", hash = (SELECT hash FROM audit_log WHERE seq = " + seq
                    + ") WHERE id = 1");
            c.commit();
        }
    }

    private static void issueAndStop(TestAppliance app, String csr, int n) throws Exception {
        try (ApplianceProcess appliance = ApplianceProcess.start(app, Map.of())) {
            assertTrue(appliance.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), appliance.log());
            try (Load load = Load.start(app.adminSsl(), appliance.port(), csr, 1)) {
                assertTrue(load.awaitIssued(n, Load.STALL));
            }
            appliance.signal("TERM");
            assertTrue(appliance.waitExit(Duration.ofSeconds(60)));
        }
    }
}
