package dev.hsmca.ocsp.source;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps successful single-CertID answers without a nonce for a short while (never past their nextUpdate),
 * so hot certificates do not hit the database on every request. Bounded in size.
 */
public final class CachingSource implements Source {
    private record Entry(Answer answer, Instant until) {
    }

    private final Source next;
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public CachingSource(Source next, Duration ttl, int maxEntries, Clock clock) {
        this.next = next;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    @Override
    public Answer respond(ResolvedQuery q) {
        if (!q.query().single() || q.query().nonce() != null || ttl.isZero()) {
            return next.respond(q);
        }
        String key = q.issuer().id() + "/" + q.hash() + "/" + q.query().ids().get(0).getSerialNumber().toString(16);
        Instant now = clock.instant();
        Entry e = cache.get(key);
        if (e != null && now.isBefore(e.until())) {
            return e.answer();
        }
        Answer a = next.respond(q);
        if (a.successful() && a.nextUpdate() != null) {
            Instant until = now.plus(ttl);
            if (a.nextUpdate().isBefore(until)) {
                until = a.nextUpdate();
            }
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
