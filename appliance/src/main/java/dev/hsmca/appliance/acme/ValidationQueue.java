package dev.hsmca.appliance.acme;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Validations waiting for a thread, fairly: at most {@code runningPerAccount} of one account run at once, the
 * accounts with work take turns, and the waiting lists are bounded (per account and in all). An account whose
 * servers stall holds its own few threads, never everyone's; what does not fit is refused here, never waited for.
 */
final class ValidationQueue {
    /** One validation: its challenge (a challenge is queued once), its account, and the work. */
    record Job(String challengeId, String accountId, Runnable work) {}

    /** What became of an offered job. */
    enum Admission {
        QUEUED,
        ALREADY_QUEUED,
        FULL
    }

    private final Executor threads;
    private final int maxRunning;
    private final int runningPerAccount;
    private final int queuedPerAccount;
    private final int queuedTotal;
    /** Accounts with waiting jobs, in turn order: the one served last goes to the back. */
    private final Map<String, ArrayDeque<Job>> waiting = new LinkedHashMap<>();

    private final Map<String, Integer> running = new HashMap<>();
    private final Set<String> known = new HashSet<>();
    private int runningCount;
    private int waitingCount;

    ValidationQueue(Executor threads, int maxRunning, int runningPerAccount, int queuedPerAccount, int queuedTotal) {
        this.threads = threads;
        this.maxRunning = maxRunning;
        this.runningPerAccount = runningPerAccount;
        this.queuedPerAccount = queuedPerAccount;
        this.queuedTotal = queuedTotal;
    }

    synchronized Admission offer(Job job) {
        if (known.contains(job.challengeId())) {
            return Admission.ALREADY_QUEUED;
        }
        ArrayDeque<Job> mine = waiting.get(job.accountId());
        int startsNow =
                running.getOrDefault(job.accountId(), 0) < runningPerAccount && runningCount < maxRunning ? 1 : 0;
        int queuedMine = mine == null ? 0 : mine.size();
        if (queuedMine + 1 - startsNow > queuedPerAccount || waitingCount + 1 - startsNow > queuedTotal) {
            return Admission.FULL;
        }
        waiting.computeIfAbsent(job.accountId(), k -> new ArrayDeque<>()).add(job);
        known.add(job.challengeId());
        waitingCount++;
        dispatch();
        return Admission.QUEUED;
    }

    /** Whether this challenge is waiting or running here. */
    synchronized boolean holds(String challengeId) {
        return known.contains(challengeId);
    }

    /** Room left in the waiting list over all accounts. */
    synchronized int room() {
        return Math.max(0, queuedTotal - waitingCount) + Math.max(0, maxRunning - runningCount);
    }

    synchronized int waiting() {
        return waitingCount;
    }

    private void dispatch() {
        while (runningCount < maxRunning) {
            Job next = nextStartable();
            if (next == null) {
                return;
            }
            runningCount++;
            running.merge(next.accountId(), 1, Integer::sum);
            try {
                threads.execute(() -> {
                    try {
                        next.work().run();
                    } finally {
                        finished(next);
                    }
                });
            } catch (RejectedExecutionException e) {
                finishedLocked(next); // shutting down: the challenge stays processing and is resumed later
                return;
            }
        }
    }

    /** The first job of the first account in turn that has a free slot; that account goes to the back. */
    private Job nextStartable() {
        Iterator<Map.Entry<String, ArrayDeque<Job>>> it = waiting.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, ArrayDeque<Job>> e = it.next();
            if (running.getOrDefault(e.getKey(), 0) < runningPerAccount) {
                Job job = e.getValue().poll();
                it.remove();
                if (!e.getValue().isEmpty()) {
                    waiting.put(e.getKey(), e.getValue());
                }
                waitingCount--;
                return job;
            }
        }
        return null;
    }

    private synchronized void finished(Job job) {
        finishedLocked(job);
        dispatch();
    }

    private void finishedLocked(Job job) {
        runningCount--;
        running.computeIfPresent(job.accountId(), (k, n) -> n > 1 ? n - 1 : null);
        known.remove(job.challengeId());
    }
}
