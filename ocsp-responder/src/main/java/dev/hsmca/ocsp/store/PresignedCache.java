package dev.hsmca.ocsp.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hsmca.core.CertIdHash;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pre-signed responses in memory, so a hit costs no store round trip; kept true by PostgreSQL's change feed (the
 * schema's trigger announces every changed or removed response on {@value #CHANNEL} when its transaction commits).
 * The cache is used only while this responder listens: before the feed is up, after it is lost (a dead connection
 * is found within about {@value #PING_MILLIS} ms plus a 2 s liveness check) and on H2, every request reads the store.
 * It is emptied each time listening starts, so nothing missed while deaf is ever served.
 *
 * <p>A read that overlaps an announcement may have read the old row: each announcement bumps a generation, and a
 * row read under an older generation is dropped again right after it is put (put, then re-check; the announcement
 * drops after it bumps, so one of the two removes it whatever the interleaving). Misses are not cached.
 */
public final class PresignedCache implements PresignedLookup, AutoCloseable {
    static final String CHANNEL = "ocsp_responses";
    static final int PING_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(PresignedCache.class);

    private final PresignedLookup store;
    private final DataSource dataSource;
    private final Cache<String, PresignedRow> cache;
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;
    private volatile boolean closed;
    private volatile Thread feed;

    /** {@code maxEntries} 0 turns the cache off (every request reads the store). */
    public PresignedCache(PresignedLookup store, DataSource dataSource, int maxEntries) {
        this.store = store;
        this.dataSource = dataSource;
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).build();
        if (maxEntries > 0) {
            Thread t = new Thread(this::listen, "ocsp-change-feed");
            t.setDaemon(true);
            feed = t;
            t.start();
        }
    }

    @Override
    public Optional<PresignedRow> find(String serial, String hash, String issuerId) {
        if (!listening) {
            return store.find(serial, hash, issuerId);
        }
        String key = key(issuerId, serial, hash);
        PresignedRow hit = cache.getIfPresent(key);
        if (hit != null) {
            return Optional.of(hit);
        }
        long before = generation.get();
        Optional<PresignedRow> row = store.find(serial, hash, issuerId);
        if (row.isPresent()) {
            cache.put(key, row.get());
            if (generation.get() != before || !listening) {
                cache.invalidate(key);
            }
        }
        return row;
    }

    /** Whether answers may come from memory now (the change feed is up). */
    public boolean listening() {
        return listening;
    }

    public long size() {
        return cache.estimatedSize();
    }

    /** An announcement: "issuer_id serial". */
    void changed(String payload) {
        int space = payload.indexOf(' ');
        generation.incrementAndGet();
        if (space < 0) {
            cache.invalidateAll(); // not ours to parse: drop everything rather than serve something stale
            return;
        }
        String issuerId = payload.substring(0, space);
        String serial = payload.substring(space + 1);
        for (CertIdHash h : CertIdHash.values()) {
            cache.invalidate(key(issuerId, serial, h.text()));
        }
    }

    private void deaf() {
        listening = false;
        generation.incrementAndGet();
        cache.invalidateAll();
    }

    private void listen() {
        long backoff = 250;
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
                    LOG.info("Pre-signed responses are read from the store on every request: it is not PostgreSQL, "
                            + "so there is no change feed to keep a cache true");
                    return;
                }
                try {
                    serve(c);
                } finally {
                    deaf();
                    unlisten(c);
                }
                backoff = 250;
            } catch (SQLException | RuntimeException e) {
                deaf();
                if (!closed) {
                    LOG.warn("OCSP change feed lost ({}); pre-signed responses are read from the store until it is "
                            + "back", e.toString());
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, 8000);
        }
    }

    private void serve(Connection c) throws SQLException {
        c.setAutoCommit(true);
        PGConnection pg = c.unwrap(PGConnection.class);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        }
        // listening from here on: empty the cache of anything read while deaf, then use it
        generation.incrementAndGet();
        cache.invalidateAll();
        listening = true;
        LOG.info("OCSP change feed up: pre-signed responses are served from memory");
        while (!closed) {
            PGNotification[] notes = pg.getNotifications(PING_MILLIS);
            if (notes == null || notes.length == 0) {
                if (!c.isValid(2)) {
                    throw new SQLException("the listening connection does not answer");
                }
                continue;
            }
            for (PGNotification n : notes) {
                changed(n.getParameter());
            }
        }
    }

    private static void unlisten(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("UNLISTEN *"); // it goes back to the pool
        } catch (SQLException e) {
            // a broken connection: the pool drops it
        }
    }

    private static String key(String issuerId, String serial, String hash) {
        return issuerId + ' ' + serial + ' ' + hash;
    }

    @Override
    public void close() {
        closed = true;
        deaf();
        Thread t = feed;
        if (t != null) {
            try {
                t.join(PING_MILLIS * 3L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
