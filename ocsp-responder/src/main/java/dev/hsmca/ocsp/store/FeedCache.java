package dev.hsmca.ocsp.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows of one table in memory, so a hit costs no store round trip; kept true by PostgreSQL's change feed (the schema's
 * triggers announce every changed or removed row as "issuer_id serial" on the table's channel when its transaction
 * commits). Used for pre-signed responses ({@code ocsp_responses}) and, when the responder signs live, certificate
 * statuses ({@code certificates}). The cache is used only while this responder listens: before the feed is up, after
 * it is lost (a dead connection is found within about {@value #PING_MILLIS} ms plus a 2 s liveness check) and on H2,
 * every request reads the store. It is emptied each time listening starts, so nothing missed while deaf is served.
 *
 * <p>A read that overlaps an announcement may have read the old row: each announcement bumps a generation, and a
 * row read under an older generation is dropped again right after it is put (put, then re-check; the announcement
 * drops after it bumps, so one of the two removes it whatever the interleaving). Misses are not cached.
 *
 * @param <V> the row
 */
public final class FeedCache<V> implements AutoCloseable {
    static final int PING_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(FeedCache.class);

    /** Reads one row from the store; {@code variant} tells rows of one certificate apart (a CertID hash), or "". */
    @FunctionalInterface
    public interface Lookup<V> {
        Optional<V> find(String issuerId, String serial, String variant);
    }

    private final String channel;
    private final List<String> variants;
    private final Lookup<V> store;
    private final DataSource dataSource;
    private final Cache<Key, V> cache;
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;
    private volatile boolean closed;
    private final Thread feed; // null when the cache is off

    /**
     * @param channel    the channel the table's trigger notifies (its name)
     * @param variants   every variant a certificate's rows may have, so an announcement drops them all
     * @param maxEntries 0 turns the cache off (every request reads the store)
     */
    public FeedCache(String channel, List<String> variants, Lookup<V> store, DataSource dataSource, int maxEntries) {
        this.channel = channel;
        this.variants = List.copyOf(variants);
        this.store = store;
        this.dataSource = dataSource;
        // upkeep on the calling thread: handing it to the common pool woke a thread per batch of reads, on 2 CPUs a
        // good part of a pre-signed answer's cost (the bench's profile)
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .executor(Runnable::run)
                .build();
        if (maxEntries > 0) {
            feed = new Thread(this::listen, "change-feed-" + channel);
            feed.setDaemon(true);
            feed.start();
        } else {
            feed = null;
        }
    }

    public Optional<V> find(String issuerId, String serial, String variant) {
        if (!listening) {
            return store.find(issuerId, serial, variant);
        }
        Key key = new Key(issuerId, serial, variant);
        V hit = cache.getIfPresent(key);
        if (hit != null) {
            return Optional.of(hit);
        }
        long before = generation.get();
        Optional<V> row = store.find(issuerId, serial, variant);
        if (row.isPresent()) {
            cache.put(key, row.get());
            if (generation.get() != before || !listening) {
                cache.invalidate(key);
            }
        }
        return row;
    }

    /**
     * The row held in memory, or null when it is not (not read yet, dropped, or no change feed): then only
     * {@link #find} knows, by reading the store. Never reads the store, so an event loop may call it.
     */
    public V peek(String issuerId, String serial, String variant) {
        return listening ? cache.getIfPresent(new Key(issuerId, serial, variant)) : null;
    }

    /** Whether this cache runs at all (it has room and a feed thread). */
    public boolean enabled() {
        return feed != null;
    }

    public String channel() {
        return channel;
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
        for (String variant : variants) {
            cache.invalidate(new Key(issuerId, serial, variant));
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
                    LOG.info(
                            "No cache of {}: the store is not PostgreSQL, so there is no change feed to keep one "
                                    + "true",
                            channel);
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
                // deaf already: serve's finally emptied the cache, or listening never started
                if (!closed) {
                    LOG.warn(
                            "OCSP change feed lost ({}): {} are read from the store until it is back",
                            e.toString(),
                            channel);
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
            s.execute("LISTEN " + channel);
        }
        // listening from here on: empty the cache of anything read while deaf, then use it
        generation.incrementAndGet();
        cache.invalidateAll();
        listening = true;
        LOG.info("OCSP change feed up: {} are served from memory", channel);
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

    /** A row's key: its parts' own (cached) hashes combined, no string built per lookup. */
    private record Key(String issuerId, String serial, String variant) {}

    @Override
    public void close() {
        closed = true;
        deaf();
        if (feed != null) {
            try {
                feed.join(PING_MILLIS * 3L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
