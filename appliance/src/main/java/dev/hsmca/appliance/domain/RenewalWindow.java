package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.store.CertificateRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * When a certificate should be renewed, decided by the CA (as ACME's renewal information, RFC 9773, does): from two
 * thirds of its lifetime to five sixths, so every client renews well before expiry with room for retries. An admin
 * can move the window to now ({@code renew_requested_at}); then it is open from that moment for a short while.
 */
public record RenewalWindow(Instant start, Instant end) {

    public static RenewalWindow of(CertificateRecord r) {
        Duration life = Duration.between(r.notBefore(), r.notAfter());
        Instant start = r.notBefore().plus(life.multipliedBy(2).dividedBy(3));
        Instant end = r.notBefore().plus(life.multipliedBy(5).dividedBy(6));
        Instant requested = r.renewRequestedAt();
        if (requested != null && requested.isBefore(start)) {
            Duration span =
                    life.dividedBy(12).compareTo(Duration.ofHours(1)) < 0 ? life.dividedBy(12) : Duration.ofHours(1);
            Instant requestedEnd = requested.plus(span);
            return new RenewalWindow(requested, requestedEnd.isBefore(r.notAfter()) ? requestedEnd : r.notAfter());
        }
        return new RenewalWindow(start, end);
    }

    /** Renewal is due: the window has opened. */
    public boolean open(Instant now) {
        return !now.isBefore(start);
    }
}
