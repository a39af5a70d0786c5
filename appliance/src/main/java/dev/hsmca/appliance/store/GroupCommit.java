package dev.hsmca.appliance.store;

import io.micronaut.context.annotation.Value;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * A caller waits at most {@code pki.store.group-commit-timeout}, then gets {@link NotConfirmed} (store unavailable).
 * A write whose caller gave up before its batch began to commit is never committed: not run if still queued, else its
 * whole batch is rolled back and every caller in it is told so. Only a caller that gave up while its batch's commit
 * was already under way may have been stored; it is told that it may have been ({@link NotConfirmed#mayBeStored()}),
 * and such a write that did commit is logged and counted ({@link #lateCommits()}). A committer that stops
 * (interrupted) fails what is queued; later writes then commit alone.
 * <p>
 * Only for writes that take no row locks others hold for long (inserts, a token's single-use update): a batch holds
 * its locks until its last write, and one that waited on a request's transaction would hold up the whole batch.
 */
@Singleton
public class GroupCommit {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** At most this many writes per commit: bounds the transaction, and the wait of a batch's first caller. */
    static final int MAX_BATCH = 64;

    /** The store did not confirm a write in time, or its committer stopped: retry later. */
    public static final class NotConfirmed extends DataAccessException {
        private final boolean mayBeStored;

        NotConfirmed(String message, boolean mayBeStored) {
            super(message);
            this.mayBeStored = mayBeStored;
        }

        /** The caller gave up while its commit was under way: the write may be stored after all. */
        public boolean mayBeStored() {
            return mayBeStored;
        }
    }

    /** Where a write is; its caller and the committer change it only by compare-and-set, so one of them decides. */
    private enum State {
        QUEUED,
        RUNNING,
        COMMITTING,
        /** The committer delivers the commit's outcome. */
        ANSWERED,
        /** The caller stopped waiting before the commit: the write is not run, or rolled back with its batch. */
        GAVE_UP,
        /** The caller stopped waiting during the commit: its outcome is the commit's, which nobody hears. */
        UNCONFIRMED
    }

    private static final class Job<T> {
        final Supplier<T> work;
        final CompletableFuture<T> done = new CompletableFuture<>();
        final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
        T result;

        Job(Supplier<T> work) {
            this.work = work;
        }

        /**
         * Runs in a JDBC savepoint (not a NESTED transaction: Micronaut marks the whole transaction rollback-only when
         * one fails); true when it wrote, false when it failed alone (answered at once) or its caller had gone.
         */
        boolean run(Connection connection) throws SQLException {
            if (!state.compareAndSet(State.QUEUED, State.RUNNING)) {
                return false; // the caller gave up while it was queued
            }
            Savepoint savepoint = connection.setSavepoint();
            try {
                result = work.get();
            } catch (RuntimeException | Error e) {
                connection.rollback(savepoint); // undone alone; the batch goes on
                done.completeExceptionally(e);
                return false;
            }
            connection.releaseSavepoint(savepoint);
            return true;
        }
    }

    /** Thrown inside a batch's transaction to roll it back: a caller gave up on a write that ran. */
    private static final class CallerGone extends RuntimeException {
        CallerGone() {
            super("a caller gave up on its write before the commit", null, false, false);
        }
    }

    private final TransactionOperations<Connection> transactions;
    private final Duration timeout;
    private final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedWrites = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong lateCommits = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean stopped;

    @Inject
    public GroupCommit(
            TransactionOperations<Connection> transactions,
            @Value("${pki.store.group-commit-timeout:10s}") Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("invalid setting pki.store.group-commit-timeout: must be a positive "
                    + "duration such as 10s, not " + timeout);
        }
        this.transactions = transactions;
        this.timeout = timeout;
        this.committer = new Thread(this::commitLoop, "group-commit");
        this.committer.setDaemon(true); // a batch cut short by the JVM's exit was answered to nobody
        this.committer.start();
    }

    /**
     * Runs {@code work} in a transaction shared with other callers' and returns its result once that transaction has
     * committed; throws what {@code work} threw (nothing of it is stored), what the commit threw, or
     * {@link NotConfirmed} after the timeout.
     */
    public <T> T write(Supplier<T> work) {
        if (closed || stopped || Thread.currentThread() == committer) {
            return transactions.executeWrite(status -> work.get());
        }
        Job<T> job = new Job<>(work);
        queue.add(job);
        if ((closed || stopped) && queue.remove(job)) {
            return transactions.executeWrite(status -> work.get()); // stopped meanwhile: nobody will take it
        }
        try {
            return job.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return giveUp(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return giveUp(job);
        } catch (ExecutionException e) {
            throw unwrapped(e);
        }
    }

    /** The caller stops waiting: decided by the job's state, which the committer may be changing at this moment. */
    private <T> T giveUp(Job<T> job) {
        if (!job.done.isDone()
                && (job.state.compareAndSet(State.QUEUED, State.GAVE_UP)
                        || job.state.compareAndSet(State.RUNNING, State.GAVE_UP))) {
            queue.remove(job);
            timeouts.incrementAndGet();
            throw new NotConfirmed(
                    "the store did not take the write within " + timeout + "; nothing of it was stored", false);
        }
        if (job.state.compareAndSet(State.COMMITTING, State.UNCONFIRMED)) {
            timeouts.incrementAndGet();
            throw new NotConfirmed(
                    "the store did not confirm its commit within " + timeout + "; the write may have been stored",
                    true);
        }
        try {
            return job.done.join(); // answered (or failed alone) just now
        } catch (CompletionException e) {
            throw unwrapped(e);
        }
    }

    private static RuntimeException unwrapped(Exception e) {
        if (e.getCause() instanceof RuntimeException r) {
            return r;
        }
        if (e.getCause() instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e.getCause());
    }

    private void commitLoop() {
        List<Job<?>> batch = new ArrayList<>(MAX_BATCH);
        try {
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
                    batch.forEach(job -> job.done.completeExceptionally(e)); // no caller is left waiting
                } finally {
                    batch.clear();
                }
            }
        } finally {
            stopped = true; // later writes commit alone; those queued are failed, not left waiting
            if (!closed) {
                LOG.error("the group committer stopped; writes commit one by one from now on");
            }
            for (Job<?> job = queue.poll(); job != null; job = queue.poll()) {
                job.done.completeExceptionally(
                        new NotConfirmed("the store's committer stopped; nothing was stored", false));
            }
        }
    }

    private void commit(List<Job<?>> batch) {
        List<Job<?>> written = new ArrayList<>(batch.size());
        try {
            transactions.executeWrite(status -> {
                for (Job<?> job : batch) {
                    try {
                        if (job.run(status.getConnection())) {
                            written.add(job);
                        }
                    } catch (SQLException e) {
                        throw new DataAccessException("a group commit's savepoint failed", e); // the batch rolls back
                    }
                }
                for (Job<?> job : written) {
                    if (!job.state.compareAndSet(State.RUNNING, State.COMMITTING)) {
                        throw new CallerGone(); // its caller was told nothing is stored: so nothing of the batch is
                    }
                }
                return null;
            });
        } catch (CallerGone e) {
            NotConfirmed rolledBack = new NotConfirmed(
                    "the store was too slow for a write in the same batch; nothing " + "of it was stored", false);
            written.forEach(job -> job.done.completeExceptionally(rolledBack));
            return;
        }
        commits.incrementAndGet();
        committedWrites.addAndGet(batch.size());
        int late = 0;
        for (Job<?> job : written) {
            if (job.state.compareAndSet(State.COMMITTING, State.ANSWERED)) {
                complete(job); // only now: each answer waits for the commit that stored it
            } else {
                late++;
            }
        }
        if (late > 0) {
            lateCommits.addAndGet(late);
            LOG.warn(
                    "a group commit stored {} writes after their callers were told store_unavailable (the store took "
                            + "longer than {}): they were not told of the certificates issued",
                    late,
                    timeout);
        }
    }

    private static <T> void complete(Job<T> job) {
        job.done.complete(job.result);
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

    /** Callers that stopped waiting after {@code pki.store.group-commit-timeout}. */
    public long timeouts() {
        return timeouts.get();
    }

    /** Writes committed after their caller had stopped waiting (told the write may have been stored). */
    public long lateCommits() {
        return lateCommits.get();
    }

    /** The committer thread (tests). */
    Thread committer() {
        return committer;
    }

    /** Commits what is queued, then lets later writes commit alone. */
    @PreDestroy
    public void close() throws InterruptedException {
        closed = true;
        committer.join(10_000);
    }
}
