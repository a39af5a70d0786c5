package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.store.CrlPartRow;
import dev.hsmca.ocsp.store.CrlRow;
import dev.hsmca.ocsp.store.Store;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest CRL of each CA and part, held in memory: a request costs one indexed look-up of the newest number, and
 * the bytes (49 MB for a full CRL at a million entries) are read from the store only when that number moved. So a new
 * CRL is served by every replica at the first request after it is stored, with no cache to expire.
 */
@Singleton
public class CrlFiles {
    /** Which CRL: the full one ({@code part} null), a shard, or the delta (-1). */
    public record Id(String caId, Integer part) {}

    /** A CRL ready to serve, with what its cache headers are made of. */
    public record File(long number, Instant thisUpdate, Instant nextUpdate, byte[] der, String etag) {}

    private final Store.Crls crls;
    private final Store.CrlParts parts;
    private final Map<Id, File> held = new ConcurrentHashMap<>();
    /** A monitor per CRL (bounded: CA ids come from the store, parts are at most four digits). */
    private final Map<Id, Object> loading = new ConcurrentHashMap<>();

    public CrlFiles(Store.Crls crls, Store.CrlParts parts) {
        this.crls = crls;
        this.parts = parts;
    }

    public Optional<File> newest(Id id) {
        Optional<Long> number =
                id.part() == null ? crls.latestNumber(id.caId()) : parts.latestNumber(id.caId(), id.part());
        if (number.isEmpty()) {
            return Optional.empty();
        }
        File f = held.get(id);
        if (f != null && f.number() >= number.get()) {
            return Optional.of(f);
        }
        // One load per CRL: the requests that arrive meanwhile wait for it rather than each reading 49 MB.
        synchronized (loading.computeIfAbsent(id, k -> new Object())) {
            f = held.get(id);
            if (f != null && f.number() >= number.get()) {
                return Optional.of(f);
            }
            Optional<File> loaded = id.part() == null
                    ? crls.find(id.caId(), number.get()).map(CrlFiles::file)
                    : parts.find(id.caId(), id.part(), number.get()).map(CrlFiles::file);
            // Only ever replaced by a newer one.
            loaded.ifPresent(l -> held.merge(id, l, (old, now) -> now.number() > old.number() ? now : old));
            return Optional.ofNullable(held.get(id)).or(() -> loaded);
        }
    }

    private static File file(CrlRow r) {
        return new File(r.key().crlNumber(), r.thisUpdate(), r.nextUpdate(), r.crlDer(), OcspHttp.etag(r.crlDer()));
    }

    private static File file(CrlPartRow r) {
        return new File(r.key().crlNumber(), r.thisUpdate(), r.nextUpdate(), r.crlDer(), OcspHttp.etag(r.crlDer()));
    }
}
