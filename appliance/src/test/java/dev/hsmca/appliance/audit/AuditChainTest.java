package dev.hsmca.appliance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.cli.Cli;
import dev.hsmca.appliance.store.AuditEntry;
import dev.hsmca.appliance.store.AuditRepository;
import dev.hsmca.appliance.testing.TestDatabases;
import dev.hsmca.hsm.testing.TestHsm;
import io.micronaut.context.ApplicationContext;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hash chain verifies, stays one chain under concurrent appends, and `audit verify` finds a tampered row. */
class AuditChainTest {
    static final TestHsm.Token TOKEN = TestHsm.newToken("audit"); // the anchor's key

    record Run(int exit, String out, String err) {}

    static Run verify(ApplicationContext ctx) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Cli.run(ctx, new PrintWriter(out, true), new PrintWriter(err, true), "audit", "verify");
        return new Run(exit, out.toString(), err.toString());
    }

    static void sql(ApplicationContext ctx, String statement) throws Exception {
        DataSource raw = DelegatingDataSource.unwrapDataSource(ctx.getBean(DataSource.class));
        try (Connection c = raw.getConnection();
                var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void chainVerifiesAndTamperingIsFound(String db) throws Exception {
        var dir = Files.createTempDirectory("audit");
        var database = "h2".equals(db) ? TestDatabases.h2(dir) : TestDatabases.freshPostgres();
        var properties = new HashMap<String, Object>(database.properties());
        properties.putAll(Map.of(
                "pki.hsm.library",
                TestHsm.LIBRARY,
                "pki.hsm.token-label",
                TOKEN.label(),
                "pki.hsm.pin-file",
                TOKEN.pinFile().toString(),
                "pki.audit.anchor-file",
                dir.resolve("anchor").toString()));
        try (ApplicationContext ctx = ApplicationContext.builder()
                .properties(properties)
                .environments("test")
                .start()) {
            ctx.getBean(AuditAnchor.class).anchorIfAbsent(); // as ca init does: the new store's first anchor
            AuditLog audit = ctx.getBean(AuditLog.class);
            AuditSealer sealer = ctx.getBean(AuditSealer.class);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            AtomicBoolean appending = new AtomicBoolean(true);
            AtomicInteger sealedWhileAppending = new AtomicInteger();
            try {
                // two sealers (as two replicas would run) race the appenders
                List<Future<?>> sealers = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    sealers.add(pool.submit(() -> {
                        while (appending.get()) {
                            sealedWhileAppending.addAndGet(sealer.seal());
                        }
                        return null;
                    }));
                }
                List<Future<?>> appends = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int n = i;
                    appends.add(pool.submit(
                            () -> audit.recordAlone("tester", "test.append", "item:" + n, AuditLog.OK, "n=" + n)));
                }
                for (Future<?> f : appends) {
                    f.get();
                }
                appending.set(false);
                for (Future<?> f : sealers) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(sealedWhileAppending.get() <= 40, "nothing sealed twice: " + sealedWhileAppending.get());
            AuditLog.Verification ok = audit.verify();
            assertTrue(ok.intact(), ok.toString());
            assertEquals(40, ok.entries());
            Run clean = verify(ctx);
            assertEquals(0, clean.exit(), clean.err());
            assertTrue(clean.out().contains("40 entries verified"), clean.out());

            // Someone edits one row directly in the database.
            sql(ctx, "UPDATE audit_log SET details = 'n=999' WHERE seq = 17");
            Run edited = verify(ctx);
            assertEquals(1, edited.exit());
            assertTrue(edited.err().contains("BROKEN at entry 17"), edited.err());
            assertTrue(edited.err().contains("edited"), edited.err());

            // Re-hashing the edited row is not enough: the next entry's link breaks.
            AuditEntry e17 = ctx.getBean(AuditRepository.class).chunk(16, 1).get(0);
            sql(ctx, "UPDATE audit_log SET hash = '" + AuditHashes.hash(e17) + "' WHERE seq = 17");
            Run rehashed = verify(ctx);
            assertEquals(1, rehashed.exit());
            assertTrue(rehashed.err().contains("BROKEN at entry 18"), rehashed.err());

            // Deleting the newest entries is found too (the head remembers).
            sql(ctx, "UPDATE audit_log SET details = 'n=16' WHERE seq = 17");
            sql(ctx, "DELETE FROM audit_log WHERE seq >= 39");
            Run truncated = verify(ctx);
            assertEquals(1, truncated.exit());
            assertFalse(truncated.err().isBlank());
        }
    }
}
