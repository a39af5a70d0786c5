package dev.hsmca.it;

import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A database put back to an older state verifies cleanly on its own (its chain is intact, only shorter): the signed
 * anchor outside it is what tells. Restoring an old copy of the store makes {@code audit verify} fail and the next
 * start refuse, until an operator accepts it ({@code on-rollback=warn}, which re-anchors). An edited anchor file is
 * reported too.
 */
class AuditRollbackTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRolledBackStoreIsFound() throws Exception {
        TestAppliance app = TestAppliance.h2().initialize();
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

        try (ApplianceProcess refused = ApplianceProcess.start(app, ResponderProcess.freePort(), Map.of())) {
            assertFalse(refused.awaitHealthy(app.anonymousSsl(), Duration.ofSeconds(90)), "started on a rolled-back store");
            assertNotEquals(0, refused.exitCode());
            assertTrue(refused.log().contains("ROLLBACK"), refused.log());
        }

        int port = ResponderProcess.freePort();
        try (ApplianceProcess accepted = ApplianceProcess.start(app, port, Map.of("pki.audit.on-rollback", "warn"))) {
            assertTrue(accepted.awaitHealthy(app.anonymousSsl(), Duration.ofSeconds(90)), accepted.log());
            assertTrue(accepted.log().contains("ROLLBACK"), "the accepted rollback is logged");
            String anchoredBefore = Files.readString(anchor);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (Files.readString(anchor).equals(anchoredBefore) && System.nanoTime() < deadline) {
                Thread.sleep(100); // it re-anchors the restored head within a second
            }
        }
        Shell.Result after = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(0, after.exit(), after.output());

        Files.writeString(anchor, Files.readString(anchor).replaceFirst("seq=\\d+", "seq=1"));
        Shell.Result edited = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(1, edited.exit(), edited.output());
        assertTrue(edited.output().contains("TAMPERED"), edited.output());
    }

    private static void issueAndStop(TestAppliance app, String csr, int n) throws Exception {
        int port = ResponderProcess.freePort();
        try (ApplianceProcess appliance = ApplianceProcess.start(app, port, Map.of())) {
            assertTrue(appliance.awaitHealthy(app.anonymousSsl(), Duration.ofSeconds(90)), appliance.log());
            try (Load load = Load.start(app.adminSsl(), port, csr, 1)) {
                assertTrue(load.awaitIssued(n, Duration.ofSeconds(30)));
            }
            appliance.signal("TERM");
            assertTrue(appliance.waitExit(Duration.ofSeconds(60)));
        }
    }
}
