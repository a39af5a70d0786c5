package dev.hsmca.appliance.store;

import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.enrollment.InstallTokens;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GroupCommit} on the real stores: writes share commits, and a failed write is undone alone. */
class GroupCommitTest {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void concurrentWritesShareCommitsAndAreAllStored(String store) throws Exception {
        try (ApplicationContext context = app(store).context()) {
            GroupCommit group = context.getBean(GroupCommit.class);
            InstallTokenRepository rows = context.getBean(InstallTokenRepository.class);
            long commitsBefore = group.commits();
            long writesBefore = group.committedWrites();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<String>> ids = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    ids.add(pool.submit(() -> group.write(() -> rows.save(row()).id())));
                }
                for (Future<String> id : ids) {
                    assertTrue(rows.findById(id.get(60, TimeUnit.SECONDS)).isPresent(), "stored before write returned");
                }
            } finally {
                pool.shutdownNow();
            }
            long commits = group.commits() - commitsBefore;
            assertTrue(commits < 400, "400 writes from 16 threads took " + commits + " commits: none was shared");
            assertEquals(400, group.committedWrites() - writesBefore);
        }
    }

    /**
     * Two writes in one batch consume the same install token: one wins, the other gets token_used and its other
     * write is undone with it, and the winner's batch still commits (a failed write does not doom the transaction).
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aFailedWriteIsUndoneAloneAndTokensStaySingleUse(String store) throws Exception {
        try (ApplicationContext context = app(store).context()) {
            GroupCommit group = context.getBean(GroupCommit.class);
            InstallTokens tokens = context.getBean(InstallTokens.class);
            InstallTokenRepository tokenRows = context.getBean(InstallTokenRepository.class);
            InstallToken token = tokenRows.save(row());
            long before = tokenRows.count();

            // the committer is held inside a first write while the two racers queue up behind it: one batch
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch held = new CountDownLatch(1);
            CompletableFuture<Object> holder = CompletableFuture.supplyAsync(() -> group.write(() -> {
                held.countDown();
                await(hold);
                return null;
            }));
            await(held);
            List<CompletableFuture<String>> racers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                racers.add(CompletableFuture.supplyAsync(() -> group.write(() -> {
                    String id = tokenRows.save(row()).id();
                    tokens.consume(token);
                    return id;
                })));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (group.queued() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(2, group.queued(), "both racers wait behind the held batch");
            hold.countDown();
            holder.get(30, TimeUnit.SECONDS);

            List<String> won = new ArrayList<>();
            int lost = 0;
            for (CompletableFuture<String> r : racers) {
                try {
                    won.add(r.get(30, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    PkiException p = assertThrowsCause(e);
                    assertEquals("token_used", p.code());
                    lost++;
                }
            }
            assertEquals(1, won.size(), "exactly one racer consumed the token");
            assertEquals(1, lost);
            assertTrue(tokenRows.findById(won.get(0)).isPresent(), "the winner's write committed");
            assertEquals(before + 1, tokenRows.count(), "the loser's row was undone with its failure");
            assertTrue(tokenRows.findById(token.id()).orElseThrow().usedAt() != null);
            assertThrows(PkiException.class, () -> group.write(() -> {
                tokens.consume(token);
                return null;
            }), "used is used, in a later batch too");
        }
    }

    private static PkiException assertThrowsCause(java.util.concurrent.ExecutionException e) {
        assertTrue(e.getCause() instanceof PkiException, String.valueOf(e.getCause()));
        return (PkiException) e.getCause();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unused install token's row: the test's unit of writing. */
    private static InstallToken row() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new InstallToken("grp" + UUID.randomUUID().toString().replace("-", "").substring(0, 20), "0".repeat(64),
                "svc", "a.example.com", "", "tls-server", 30, now.plusSeconds(3600), now, "test", null, null, null, null, null);
    }

    private static TestAppliance app(String store) {
        assertFalse(store.isBlank());
        return store.equals("h2") ? TestAppliance.h2() : TestAppliance.postgres();
    }
}
