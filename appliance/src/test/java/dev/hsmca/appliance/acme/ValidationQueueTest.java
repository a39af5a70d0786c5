package dev.hsmca.appliance.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One account's stalled validations hold its own threads only; the waiting lists are bounded; accounts take turns. */
class ValidationQueueTest {
    final ExecutorService pool = Executors.newCachedThreadPool();
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        release.countDown();
        pool.shutdownNow();
    }

    ValidationQueue.Job stalled(String challenge, String account) {
        return new ValidationQueue.Job(challenge, account, () -> {
            started.add(challenge);
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    ValidationQueue.Job quick(String challenge, String account, CountDownLatch done) {
        return new ValidationQueue.Job(challenge, account, () -> {
            started.add(challenge);
            done.countDown();
        });
    }

    long stalledStarted() {
        return started.stream().filter(s -> s.startsWith("a")).count();
    }

    @Test
    void aStalledAccountHoldsItsOwnThreadsOnly() throws Exception {
        ValidationQueue q = new ValidationQueue(pool, 4, 2, 50, 1000);
        for (int i = 0; i < 20; i++) {
            assertEquals(ValidationQueue.Admission.QUEUED, q.offer(stalled("a" + i, "stalls")));
        }
        CountDownLatch done = new CountDownLatch(1);
        assertEquals(ValidationQueue.Admission.QUEUED, q.offer(quick("b0", "other", done)));
        assertTrue(done.await(60, TimeUnit.SECONDS), "the other account's validation ran while the first one's stall");
        // two of the stalled account's were handed a thread, the other 18 wait; the threads may start in any order
        assertEquals(18, q.waiting());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // only for a hang
        while (stalledStarted() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, stalledStarted(), "two of the stalled account's at once: " + started);
        assertEquals(18, q.waiting());
    }

    @Test
    void whatDoesNotFitIsRefusedNotWaitedFor() {
        ValidationQueue q = new ValidationQueue(pool, 2, 1, 3, 5);
        // account x: 1 running + 3 waiting, the fifth refused
        for (int i = 0; i < 4; i++) {
            assertEquals(ValidationQueue.Admission.QUEUED, q.offer(stalled("x" + i, "x")));
        }
        assertEquals(ValidationQueue.Admission.FULL, q.offer(stalled("x4", "x")));
        assertEquals(
                ValidationQueue.Admission.ALREADY_QUEUED, q.offer(stalled("x1", "x")), "a challenge is queued once");
        // account y: 1 running, then 2 waiting fill the total of 5 waiting
        for (int i = 0; i < 3; i++) {
            assertEquals(ValidationQueue.Admission.QUEUED, q.offer(stalled("y" + i, "y")));
        }
        assertEquals(5, q.waiting());
        assertEquals(ValidationQueue.Admission.FULL, q.offer(stalled("z0", "z")));
    }

    @Test
    void accountsTakeTurns() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ValidationQueue q = new ValidationQueue(pool, 1, 1, 50, 1000);
        q.offer(new ValidationQueue.Job("first", "a", () -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        CountDownLatch done = new CountDownLatch(6);
        for (int i = 0; i < 3; i++) {
            q.offer(quick("a" + i, "a", done));
        }
        for (int i = 0; i < 3; i++) {
            q.offer(quick("b" + i, "b", done));
        }
        gate.countDown();
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(List.of("a0", "b0", "a1", "b1", "a2", "b2"), started);
    }
}
