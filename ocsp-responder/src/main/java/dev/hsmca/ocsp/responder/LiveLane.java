package dev.hsmca.ocsp.responder;

import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.ResponseStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where answers that may need the HSM are worked out: a bounded pool of its own, off the event loops. A PKCS#11 call
 * has no timeout, and a network HSM can stop answering; signing on the event loops would then stop every answer,
 * pre-signed ones and {@code /health} included. Here a call that takes longer than {@code pki.ocsp.live-timeout}, or
 * finds the lane full ({@code live-threads} busy and {@code live-queue} waiting), gets the fallback at once (the
 * pre-signed answer without the nonce, as RFC 5019 allows, else {@code tryLater}), counted in
 * {@code pki_ocsp_live_shed_total{reason}}; the stuck call keeps only its own lane thread.
 * <p>A pre-signed responder also has a lane of the other {@link Kind}: for answers that need a store read (a row not
 * held in memory), so that a slow or stopped store holds up those answers alone, never an event loop.
 */
public final class LiveLane {
    /** What an answer on the lane may wait for. */
    public enum Kind {
        /** A signature from the HSM (and the store reads before it). */
        HSM("live", "Answers that needed the HSM but got the fallback: lane full, or the HSM too slow"),
        /** A read of the store: the response is not held in memory. */
        STORE("store", "Answers that needed a store read but got tryLater: lane full, or the store too slow");

        /** The word in its thread names and in its metric, {@code pki_ocsp_<word>_shed_total}. */
        private final String word;

        private final String description;

        Kind(String word, String description) {
            this.word = word;
            this.description = description;
        }
    }

    private final Executor executor;
    private final Duration timeout;
    private final Counter full;
    private final Counter slow;

    LiveLane(Executor executor, Duration timeout, MeterRegistry registry) {
        this(Kind.HSM, executor, timeout, registry);
    }

    LiveLane(Kind kind, Executor executor, Duration timeout, MeterRegistry registry) {
        this.executor = executor;
        this.timeout = timeout;
        this.full = shed(registry, kind, "full");
        this.slow = shed(registry, kind, "timeout");
    }

    /** An HSM lane of {@code threads} daemon threads and a queue of {@code queue} waiting answers. */
    public static LiveLane bounded(int threads, int queue, Duration timeout, MeterRegistry registry) {
        return bounded(Kind.HSM, threads, queue, timeout, registry);
    }

    /** A lane of {@code threads} daemon threads and a queue of {@code queue} waiting answers. */
    public static LiveLane bounded(Kind kind, int threads, int queue, Duration timeout, MeterRegistry registry) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads,
                threads,
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "ocsp-" + kind.word + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        return new LiveLane(kind, pool, timeout, registry);
    }

    private static Counter shed(MeterRegistry registry, Kind kind, String reason) {
        return Counter.builder("pki.ocsp." + kind.word + ".shed")
                .tag("reason", reason)
                .description(kind.description)
                .register(registry);
    }

    /** {@code work} on the lane, or {@code fallback} when the lane is full or {@code work} takes too long. */
    public CompletableFuture<Answer> submit(Supplier<Answer> work, Supplier<Answer> fallback) {
        CompletableFuture<Answer> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (done.isDone()) {
                    return; // given up on while it waited: no HSM call for nobody
                }
                try {
                    done.complete(work.get());
                } catch (Throwable t) {
                    done.complete(Answer.error(ResponseStatus.TRY_LATER));
                }
            });
        } catch (RejectedExecutionException e) {
            full.increment();
            return CompletableFuture.completedFuture(fallback.get());
        }
        return done.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(a -> {
                    if (a != null) {
                        return a;
                    }
                    slow.increment();
                    return fallback.get();
                });
    }
}
