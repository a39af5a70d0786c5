package dev.hsmca.appliance.crl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** When a CRL says it was made: whole seconds (as encoded), and after the last CRL of the same list. */
final class CrlTimes {
    /** Longer than one second of the clock; past it (a clock behind another replica's) the time is moved instead. */
    static final Duration MAX_WAIT = Duration.ofSeconds(2);

    private CrlTimes() {}

    /**
     * This second, once it is later than {@code previous} (the last CRL's thisUpdate; null for none). Two CRLs of one
     * list made within a second would carry the same thisUpdate and Last-Modified, and a client holding the first
     * and asking If-Modified-Since would be told 304 for the second: the newer one waits for the next second.
     */
    static Instant thisUpdate(Clock clock, Instant previous) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        while (previous != null && !now.isAfter(previous) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1000 - clock.instant().toEpochMilli() % 1000 + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        }
        return previous != null && !now.isAfter(previous) ? previous.plusSeconds(1) : now;
    }
}
