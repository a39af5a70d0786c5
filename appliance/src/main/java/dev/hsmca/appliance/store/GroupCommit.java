package dev.hsmca.appliance.store;

import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Group commit: the writes of concurrent requests share one transaction and one commit, and each caller returns only
 * after that commit, so what it answers is stored. On H2 a commit serializes every changed page of every table and
 * index touched (the issuance profile found it at about half the request threads' CPU), and on PostgreSQL it is one
 * WAL flush; a batch pays that once.
 * <p>
 * Each write runs in its own savepoint: one that fails (a token used by a racing request) is undone alone and its
 * caller gets its exception, while the others commit. If the commit itself fails, every caller of the batch gets that
 * failure, and nothing of the batch is stored. So does one whose exception passed through a {@code @Transactional}
 * method: that advice marks the shared transaction rollback-only. Writes throw their expected refusals outside
 * such methods.
 * <p>
 * Only for writes that take no row locks others hold for long (inserts, a token's single-use update): a batch holds
 * its locks until its last write, and one that waited on a request's transaction would hold up the whole batch.
 */
@Singleton
public class GroupCommit {
    /** At most this many writes per commit: bounds the transaction, and the wait of a batch's first caller. */
    static final int MAX_BATCH = 64;

    private record Job<T>(Supplier<T> work, CompletableFuture<T> done) {
        /** A JDBC savepoint, not a NESTED transaction: Micronaut marks the whole transaction rollback-only when one fails. */
        void run(Connection connection, List<Runnable> onCommit) throws SQLException {
            Savepoint savepoint = connection.setSavepoint();
            T result;
            try {
                result = work.get();
            } catch (RuntimeException | Error e) {
                connection.rollback(savepoint); // undone alone; the batch goes on
                done.completeExceptionally(e);
                return;
            }
            connection.releaseSavepoint(savepoint);
            onCommit.add(() -> done.complete(result));
        }
    }

    private final TransactionOperations<Connection> transactions;
    private final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedWrites = new AtomicLong();
    private volatile boolean closed;

    public GroupCommit(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
        this.committer = new Thread(this::commitLoop, "group-commit");
        this.committer.setDaemon(true); // a batch cut short by the JVM's exit was answered to nobody
        this.committer.start();
    }

    /**
     * Runs {@code work} in a transaction shared with other callers' and returns its result once that transaction has
     * committed; throws what {@code work} threw (nothing of it is stored), or what the commit threw.
     */
    public <T> T write(Supplier<T> work) {
        if (closed || Thread.currentThread() == committer) {
            return transactions.executeWrite(status -> work.get());
        }
        Job<T> job = new Job<>(work, new CompletableFuture<>());
        queue.add(job);
        if (closed && queue.remove(job)) {
            return transactions.executeWrite(status -> work.get()); // closed meanwhile: nobody will take it
        }
        try {
            return job.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while its write was being committed", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void commitLoop() {
        List<Job<?>> batch = new ArrayList<>(MAX_BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                Job<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                batch.forEach(job -> job.done().completeExceptionally(e)); // no caller is left waiting
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Job<?>> batch) {
        List<Runnable> onCommit = new ArrayList<>(batch.size());
        transactions.executeWrite(status -> {
            for (Job<?> job : batch) {
                try {
                    job.run(status.getConnection(), onCommit);
                } catch (SQLException e) {
                    throw new DataAccessException("a group commit's savepoint failed", e); // the batch rolls back
                }
            }
            return null;
        });
        commits.incrementAndGet();
        committedWrites.addAndGet(batch.size());
        onCommit.forEach(Runnable::run); // only now: each answer waits for the commit that stored it
    }

    /** Batches committed so far. */
    public long commits() {
        return commits.get();
    }

    /** Writes in the batches committed so far (one that failed alone is counted with its batch): per commit, the batch size. */
    public long committedWrites() {
        return committedWrites.get();
    }

    /** Writes waiting for the next batch. */
    public int queued() {
        return queue.size();
    }

    /** Commits what is queued, then lets later writes commit alone. */
    @PreDestroy
    public void close() throws InterruptedException {
        closed = true;
        committer.join(10_000);
    }
}
