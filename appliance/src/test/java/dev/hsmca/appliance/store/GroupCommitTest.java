package dev.hsmca.appliance.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.enrollment.InstallTokens;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.context.ApplicationContext;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.support.TransactionSynchronization;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
                } catch (ExecutionException e) {
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
            assertThrows(
                    PkiException.class,
                    () -> group.write(() -> {
                        tokens.consume(token);
                        return null;
                    }),
                    "used is used, in a later batch too");
        }
    }

    /**
     * A caller queued behind a batch that does not finish waits for the timeout, not forever: it gets the typed
     * store failure (503 store_unavailable), and its write, never run, is not stored later either.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aCallerWaitsNoLongerThanTheTimeoutAndWhatItGaveUpOnIsNeverStored(String store) throws Exception {
        try (ApplicationContext context = app(store).context(Map.of("pki.store.group-commit-timeout", "1s"))) {
            GroupCommit group = context.getBean(GroupCommit.class);
            InstallTokenRepository rows = context.getBean(InstallTokenRepository.class);
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch held = new CountDownLatch(1);
            CompletableFuture<Object> holder = CompletableFuture.supplyAsync(() -> group.write(() -> {
                held.countDown();
                await(hold);
                return null;
            }));
            try {
                await(held);
                InstallToken late = row();
                CompletableFuture<String> waiting = CompletableFuture.supplyAsync(
                        () -> group.write(() -> rows.save(late).id()));
                assertStoreUnavailable(waiting, false);
                // the holder's caller gave up too, while its write still ran: release the write only once it has
                // (on a loaded machine its thread may wake after this one, and then the commit would be under way)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a hang is the failure
                while (group.timeouts() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } finally {
                hold.countDown();
            }
            assertStoreUnavailable(holder, false); // it waited longer than the timeout too; its batch rolled back
            assertEquals(2, group.timeouts());
            long before = rows.count();
            group.write(() -> rows.save(row()).id());
            assertEquals(before + 1, rows.count(), "a later write commits; the one given up on never does");
            assertEquals(0, group.lateCommits());
        }
    }

    /** A caller that gives up while its write runs: the batch rolls back, so "nothing was stored" stays true. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aWriteThatRanIsRolledBackWhenItsCallerGaveUp(String store) throws Exception {
        try (ApplicationContext context = app(store).context(Map.of("pki.store.group-commit-timeout", "1s"))) {
            GroupCommit group = context.getBean(GroupCommit.class);
            InstallTokenRepository rows = context.getBean(InstallTokenRepository.class);
            long before = rows.count();
            CountDownLatch told = new CountDownLatch(1);
            CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> group.write(() -> {
                String id = rows.save(row()).id();
                await(told); // its caller gives up now, with the row written and not committed
                return id;
            }));
            var unused = write.whenComplete((id, e) -> told.countDown());
            assertStoreUnavailable(write, false);
            writeAfter(group); // the committer is past the batch it rolled back
            assertEquals(before, rows.count(), "the row written before the caller gave up was rolled back");
            assertEquals(0, group.lateCommits());
        }
    }

    /**
     * A caller that gives up while its commit is under way cannot be told that nothing was stored: it is told that
     * the write may have been, and a write that then commits is counted (and logged).
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aCallerThatGaveUpDuringTheCommitIsToldItMayBeStored(String store) throws Exception {
        try (ApplicationContext context = app(store).context(Map.of("pki.store.group-commit-timeout", "1s"))) {
            GroupCommit group = context.getBean(GroupCommit.class);
            InstallTokenRepository rows = context.getBean(InstallTokenRepository.class);
            @SuppressWarnings("unchecked")
            TransactionOperations<Connection> transactions = context.getBean(TransactionOperations.class);
            CountDownLatch told = new CountDownLatch(1);
            InstallToken token = row();
            CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> group.write(() -> {
                transactions
                        .findTransactionStatus()
                        .orElseThrow()
                        .registerSynchronization(new TransactionSynchronization() {
                            @Override
                            public void beforeCommit(boolean readOnly) {
                                await(told); // the commit has begun when its caller gives up
                            }
                        });
                return rows.save(token).id();
            }));
            var unused = write.whenComplete((id, e) -> told.countDown());
            assertStoreUnavailable(write, true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (group.lateCommits() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, group.lateCommits());
            assertTrue(rows.findById(token.id()).isPresent(), "stored, as the caller was told it may be");
        }
    }

    /** A committer that stops (interrupted) fails the callers queued behind it; later writes commit alone. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aStoppedCommitterLeavesNoCallerWaiting(String store) throws Exception {
        try (ApplicationContext context = app(store).context(Map.of("pki.store.group-commit-timeout", "10m"))) {
            GroupCommit group = context.getBean(GroupCommit.class);
            InstallTokenRepository rows = context.getBean(InstallTokenRepository.class);
            CountDownLatch held = new CountDownLatch(1);
            CompletableFuture<Object> holder = CompletableFuture.supplyAsync(() -> group.write(() -> {
                held.countDown();
                try {
                    new CountDownLatch(1).await(); // until interrupted
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
                return null;
            }));
            await(held);
            List<CompletableFuture<String>> queued = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                queued.add(CompletableFuture.supplyAsync(
                        () -> group.write(() -> rows.save(row()).id())));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (group.queued() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(2, group.queued());
            long before = rows.count();
            group.committer().interrupt();
            for (CompletableFuture<String> q : queued) {
                assertStoreUnavailable(q, false); // within the test's deadline: the 10-minute timeout plays no part
            }
            assertThrows(ExecutionException.class, () -> holder.get(30, TimeUnit.SECONDS));
            group.committer().join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(group.committer().isAlive());
            String id = group.write(() -> rows.save(row()).id());
            assertTrue(rows.findById(id).isPresent(), "a later write commits alone");
            assertEquals(before + 1, rows.count());
        }
    }

    /** One write through the committer, so it is past every earlier batch (retried if the store is slow). */
    private static void writeAfter(GroupCommit group) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                group.write(() -> null);
                return;
            } catch (GroupCommit.NotConfirmed e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** The caller got the typed store failure (503 store_unavailable with Retry-After at the edge), soon enough. */
    private static void assertStoreUnavailable(CompletableFuture<?> call, boolean mayBeStored) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
        GroupCommit.NotConfirmed n = assertInstanceOf(GroupCommit.NotConfirmed.class, e.getCause());
        assertEquals(mayBeStored, n.mayBeStored(), n.getMessage());
        PkiException p = Failures.classify(n);
        assertEquals(PkiException.Kind.UNAVAILABLE, p.kind());
        assertEquals(Failures.STORE_UNAVAILABLE, p.code());
        assertEquals(mayBeStored, p.getMessage().contains("may have been stored"), p.getMessage());
    }

    private static PkiException assertThrowsCause(ExecutionException e) {
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
        return new InstallToken(
                "grp" + UUID.randomUUID().toString().replace("-", "").substring(0, 20),
                "0".repeat(64),
                "svc",
                "a.example.com",
                "",
                "tls-server",
                30,
                now.plusSeconds(3600),
                now,
                "test",
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /**
     * One token and database per store for the class: each test opens its own context (one at a time) and judges
     * rows and counters as differences, so what an earlier test wrote does not matter.
     */
    private static final Map<String, TestAppliance> APPS = new ConcurrentHashMap<>();

    private static TestAppliance app(String store) {
        assertFalse(store.isBlank());
        return APPS.computeIfAbsent(store, s -> s.equals("h2") ? TestAppliance.h2() : TestAppliance.postgres());
    }
}
