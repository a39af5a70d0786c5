package dev.hsmca.appliance.jobs;

import dev.hsmca.appliance.store.JobLockRecord;
import dev.hsmca.appliance.store.JobLockRepository;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases in the database so that one replica at a time runs a job (ShedLock's JDBC design, which is a few
 * statements: not worth a dependency). A lease expires by itself, so a replica that dies holding one blocks the job
 * for at most the lease; a job must finish well within it.
 */
@Singleton
public class JobLocks {
    private static final Logger LOG = LoggerFactory.getLogger(JobLocks.class);

    private final JobLockRepository repository;
    private final Clock clock;
    private final String holder;
    private final Map<Job, ReentrantLock> localLocks = new ConcurrentHashMap<>();
    static final Duration POLL = Duration.ofMillis(100);

    public JobLocks(JobLockRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
        this.holder = ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Who this process is in {@code job_locks.holder}. */
    public String holder() {
        return holder;
    }

    /**
     * Runs {@code work} while holding the job's lease; returns false, without running it, when another replica
     * holds the lease.
     */
    public boolean runExclusively(Job job, Duration lease, Runnable work) {
        return callExclusively(job, lease, () -> {
                    work.run();
                    return Boolean.TRUE;
                })
                != null;
    }

    /** As {@link #runExclusively}, with a result; null when another replica holds the lease. */
    public <T> T callExclusively(Job job, Duration lease, Supplier<T> work) {
        return call(job, lease, Duration.ZERO, work);
    }

    /**
     * Runs {@code work} under the job's lease, waiting up to {@code maxWait} for it (polling); null when it stayed
     * taken. Threads of this process queue on a local lock first: the lease is the process's.
     */
    public <T> T call(Job job, Duration lease, Duration maxWait, Supplier<T> work) {
        ReentrantLock local = local(job);
        long deadline = System.nanoTime() + maxWait.toNanos();
        try {
            if (!local.tryLock(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            if (local.getHoldCount() > 1) {
                return work.get(); // already ours, further up this thread's stack
            }
            while (!acquire(job, lease)) {
                if (System.nanoTime() >= deadline) {
                    LOG.debug("job {} is running on another replica", job.lockName());
                    return null;
                }
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            try {
                return work.get();
            } finally {
                try {
                    release(job);
                } catch (RuntimeException e) {
                    LOG.warn("could not release the {} lease (it expires by itself): {}", job.lockName(), e.toString());
                }
            }
        } finally {
            local.unlock();
        }
    }

    private ReentrantLock local(Job job) {
        return localLocks.computeIfAbsent(job, j -> new ReentrantLock(true));
    }

    private boolean acquire(Job job, Duration lease) {
        Instant now = clock.instant();
        if (update(job, now, now.plus(lease)) == 1) {
            return true;
        }
        if (repository.findById(job.lockName()).isPresent()) {
            return false;
        }
        // First use of this job: create its row holding the lease; a replica that races us fails on the key.
        try {
            insert(new JobLockRecord(job.lockName(), holder, now, now.plus(lease)));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Each statement in a transaction of its own: a lease is taken or not, whatever the caller is doing. */
    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected int update(Job job, Instant now, Instant until) {
        return repository.acquire(job.lockName(), holder, now, until);
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected void insert(JobLockRecord record) {
        repository.save(record);
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected void release(Job job) {
        repository.release(job.lockName(), holder, clock.instant());
    }
}
