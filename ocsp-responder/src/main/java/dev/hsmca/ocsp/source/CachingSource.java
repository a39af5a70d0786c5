package dev.hsmca.ocsp.source;

import dev.hsmca.ocsp.store.StatusLookup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Saves HSM signatures, never freshness: the certificate's status is read from the store on every request and
 * is part of the cache key, so a revocation is answered at once; only the signed answer for an unchanged
 * status is reused (single CertID, no nonce, never past half its validity). Bounded in size.
 */
public final class CachingSource implements Source {
    private record Entry(Answer answer, Instant until) {}

    private final Source next;
    private final StatusLookup statuses;
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public CachingSource(Source next, StatusLookup statuses, Duration ttl, int maxEntries, Clock clock) {
        this.next = next;
        this.statuses = statuses;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    @Override
    public Answer respond(ResolvedQuery q) {
        if (!q.query().single() || q.query().nonce() != null || ttl.isZero()) {
            return next.respond(q);
        }
        String serial = q.query().serial();
        String status = statuses.find(serial, q.issuer().id())
                .map(r -> r.status() + "|" + r.revokedAt() + "|" + r.revocationReason())
                .orElse("unknown");
        String key = q.issuer().id() + "/" + q.hash() + "/" + serial + "/" + status;
        Instant now = clock.instant();
        Entry e = cache.get(key);
        if (e != null && now.isBefore(e.until())) {
            return e.answer();
        }
        Answer a = next.respond(q);
        if (a.successful() && a.nextUpdate() != null && a.thisUpdate() != null) {
            Instant halfLife = a.thisUpdate()
                    .plus(Duration.between(a.thisUpdate(), a.nextUpdate()).dividedBy(2));
            Instant until = now.plus(ttl).isBefore(halfLife) ? now.plus(ttl) : halfLife;
            if (cache.size() >= maxEntries) {
                evictExpired(now);
            }
            if (cache.size() < maxEntries) {
                cache.put(key, new Entry(a, until));
            }
        }
        return a;
    }

    private void evictExpired(Instant now) {
        for (Iterator<Entry> it = cache.values().iterator(); it.hasNext(); ) {
            if (!now.isBefore(it.next().until())) {
                it.remove();
            }
        }
    }
}
