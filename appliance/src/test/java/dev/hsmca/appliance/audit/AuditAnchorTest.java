package dev.hsmca.appliance.audit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.store.AuditRepository;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The anchor while running: a database that goes back (a failover to a lagging standby, a restore under the running
 * appliance) is found at the next periodic step, stops issuance and is never anchored over the higher head; a start
 * beside a non-empty log with no anchor file is refused. The job is driven by hand (it does not run in tests).
 */
class AuditAnchorTest {
    // every token this class uses is made before any is opened (SoftHSM does not see later ones)
    static final TestAppliance ROLLED_BACK = TestAppliance.h2();
    static final TestAppliance REPLACED = TestAppliance.h2();
    static final TestAppliance INTACT = TestAppliance.h2();
    static final TestAppliance UNANCHORED = TestAppliance.h2();

    static AuditAnchorJob job(ApplicationContext ctx, AuditGuard guard) {
        return new AuditAnchorJob(
                ctx.getBean(AuditAnchor.class), ctx.getBean(AuditConfig.class), ctx.getBean(AuditSealer.class), guard);
    }

    static void append(ApplicationContext ctx, int n) {
        AuditLog audit = ctx.getBean(AuditLog.class);
        for (int i = 0; i < n; i++) {
            audit.recordAlone("tester", "test.append", "item:" + i, AuditLog.OK, "");
        }
        ctx.getBean(AuditSealer.class).seal();
    }

    /** What a restore of an older copy does to the audit tables: the entries after {@code seq} are gone. */
    static void rollBackTo(ApplicationContext ctx, long seq) throws Exception {
        String hash =
                ctx.getBean(AuditRepository.class).findById(seq).orElseThrow().hash();
        AuditChainTest.sql(ctx, "DELETE FROM audit_log WHERE seq > " + seq);
        AuditChainTest.sql(ctx, "UPDATE audit_head SET seq = " + seq + ", hash = '" + hash + "' WHERE id = 1");
    }

    @Test
    void aRollbackWhileRunningStopsIssuanceAndIsNeverAnchored() throws Exception {
        TestAppliance app = ROLLED_BACK.initialize();
        Path file = app.dir().resolve("audit/anchor");
        try (ApplicationContext ctx = app.context()) {
            AuditGuard guard = new AuditGuard(ctx.getBean(MeterRegistry.class));
            AuditAnchorJob job = job(ctx, guard);
            job.checkAtStart();
            append(ctx, 6);
            job.anchorIfMoved();
            long anchored = job.anchored().orElseThrow().seq();
            assertTrue(anchored >= 6, "the moved head is anchored: " + anchored);
            String before = Files.readString(file);
            assertTrue(before.contains("seq=" + anchored), before);

            rollBackTo(ctx, 3);
            job.anchorIfMoved();
            assertEquals(before, Files.readString(file), "the lower head must not be signed over the anchor");
            assertTrue(
                    guard.rollback().orElseThrow().startsWith("ROLLBACK"),
                    guard.rollback().toString());
            PkiException refused = assertThrows(AuditRollbackException.class, guard::requireIntact);
            assertEquals(PkiException.Kind.UNAVAILABLE, refused.kind());
            assertEquals("audit_rollback", refused.code());
            assertEquals(
                    1.0,
                    ctx.getBean(MeterRegistry.class)
                            .get("pki.audit.rollback")
                            .gauge()
                            .value());

            // the rolled-back store grows again past the anchored number: still found, still not anchored
            append(ctx, 10);
            job.anchorIfMoved();
            job.anchorAtShutdown();
            assertEquals(before, Files.readString(file));
        }
    }

    @Test
    void aStoreThatGrewPastTheAnchorUnderAnotherHistoryIsFound() throws Exception {
        TestAppliance app = REPLACED.initialize();
        try (ApplicationContext ctx = app.context()) {
            AuditGuard guard = new AuditGuard(ctx.getBean(MeterRegistry.class));
            AuditAnchorJob job = job(ctx, guard);
            job.checkAtStart();
            append(ctx, 5);
            job.anchorIfMoved();
            long anchored = job.anchored().orElseThrow().seq();
            rollBackTo(ctx, 2);
            append(ctx, 10); // between two steps: the head is above the anchor again, over other entries
            job.anchorIfMoved();
            assertTrue(
                    guard.rollback().orElseThrow().contains("REPLACEMENT"),
                    guard.rollback().toString());
            assertEquals(anchored, job.anchored().orElseThrow().seq());
        }
    }

    @Test
    void anIntactStoreKeepsIssuingAndIsAnchoredAsItMoves() {
        TestAppliance app = INTACT.initialize();
        try (ApplicationContext ctx = app.context()) {
            AuditGuard guard = new AuditGuard(ctx.getBean(MeterRegistry.class));
            AuditAnchorJob job = job(ctx, guard);
            job.checkAtStart();
            for (int round = 1; round <= 3; round++) {
                append(ctx, 2);
                job.anchorIfMoved();
                job.anchorIfMoved(); // nothing new: nothing written, nothing found
            }
            assertEquals(Optional.empty(), guard.rollback());
            assertDoesNotThrow(guard::requireIntact);
            assertEquals(
                    0.0,
                    ctx.getBean(MeterRegistry.class)
                            .get("pki.audit.rollback")
                            .gauge()
                            .value());
            assertEquals(
                    ctx.getBean(AuditRepository.class).head().seq(),
                    job.anchored().orElseThrow().seq());
        }
    }

    @Test
    void aMissingAnchorBesideANonEmptyLogStopsTheStart() throws Exception {
        TestAppliance app = UNANCHORED.initialize();
        Path file = app.dir().resolve("audit/anchor");
        assertTrue(Files.exists(file), "ca init anchors the new store (entry 0)");
        try (ApplicationContext ctx = app.context()) {
            AuditGuard guard = new AuditGuard(ctx.getBean(MeterRegistry.class));
            job(ctx, guard).checkAtStart(); // the genesis anchor: fine
            append(ctx, 3);
            Files.delete(file);
            IllegalStateException refused = assertThrows(
                    IllegalStateException.class, () -> job(ctx, guard).checkAtStart());
            assertTrue(refused.getMessage().startsWith("MISSING"), refused.getMessage());
            assertEquals(
                    AuditAnchor.Finding.MISSING,
                    ctx.getBean(AuditAnchor.class)
                            .check()
                            .problem()
                            .orElseThrow()
                            .finding());
        }
        try (ApplicationContext warn = ApplicationContext.builder()
                .properties(new HashMap<>(app.properties()))
                .properties(Map.of("pki.audit.on-rollback", "warn"))
                .environments("test")
                .start()) {
            AuditAnchorJob accepted = job(warn, new AuditGuard(warn.getBean(MeterRegistry.class)));
            accepted.checkAtStart(); // the operator accepts the store as it is: it starts, and anchors it
            accepted.anchorIfMoved();
            assertTrue(Files.readString(file)
                    .contains(
                            "seq=" + warn.getBean(AuditRepository.class).head().seq()));
        }
    }
}
