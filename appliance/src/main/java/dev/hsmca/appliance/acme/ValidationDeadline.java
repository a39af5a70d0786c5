package dev.hsmca.appliance.acme;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The end of one validation, for everything it does together. A per-read timeout is not enough: a server dripping
 * one byte every few seconds never trips it. So each socket is closed when the deadline passes, which ends any
 * connect, handshake or read in progress.
 */
final class ValidationDeadline {
    private final long end;
    private final ScheduledExecutorService watchdog;

    ValidationDeadline(long durationNanos, ScheduledExecutorService watchdog) {
        this.end = System.nanoTime() + durationNanos;
        this.watchdog = watchdog;
    }

    boolean passed() {
        return System.nanoTime() - end >= 0;
    }

    /** Milliseconds left, at most {@code cap}; throws once none are left. */
    int remainingMillis(int cap) throws SocketTimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (ms <= 0) {
            throw new SocketTimeoutException("validation deadline passed");
        }
        return (int) Math.min(ms, cap);
    }

    /** Closes {@code resource} at the deadline unless the returned guard is closed first. */
    Closeable guard(Closeable resource) {
        ScheduledFuture<?> f = watchdog.schedule(
                () -> {
                    try {
                        resource.close();
                    } catch (IOException ignored) {
                        // closing is all we wanted
                    }
                },
                end - System.nanoTime(),
                TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }
}
