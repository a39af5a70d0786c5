package dev.hsmca.ocsp.responder;

import dev.hsmca.core.CertIdHash;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.CachingSource;
import dev.hsmca.ocsp.source.IssuerFilter;
import dev.hsmca.ocsp.source.KnownIssuers;
import dev.hsmca.ocsp.source.LiveSource;
import dev.hsmca.ocsp.source.PresignedSource;
import dev.hsmca.ocsp.source.ResolvedQuery;
import dev.hsmca.ocsp.source.Source;
import dev.hsmca.ocsp.store.FeedCache;
import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.PresignedLookup;
import dev.hsmca.ocsp.store.PresignedRow;
import dev.hsmca.ocsp.store.StatusLookup;
import dev.hsmca.ocsp.store.StatusRow;
import dev.hsmca.ocsp.store.Store;
import dev.hsmca.server.HsmSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.jdbc.DataSourceResolver;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.bouncycastle.cert.X509CertificateHolder;

/** Builds the responder chain from configuration. */
@Factory
public class ResponderFactory {
    /** Threads for store reads (a pre-signed row not in memory): a few at once are what a pool of connections serves well. */
    static final int STORE_THREADS = 4;

    /** The caches the store's change feed keeps true (PostgreSQL only), with their gauges. */
    @Singleton
    @Bean(preDestroy = "close")
    Caches caches(
            ResponderConfig config,
            HsmSettings hsm,
            Store.Presigned presigned,
            Store.Statuses statuses,
            DataSource dataSource,
            DataSourceResolver resolver,
            MeterRegistry registry) {
        // the pool itself: the injected one is bound to Micronaut's connection scope, each feed holds its own
        DataSource pool = resolver.resolve(dataSource);
        int entries = config.presignedCacheEntries();
        FeedCache<PresignedRow> responses = gauged(
                new FeedCache<>(
                        "ocsp_responses",
                        Arrays.stream(CertIdHash.values()).map(CertIdHash::text).toList(),
                        (issuer, serial, hash) -> presigned.find(serial, hash, issuer),
                        pool,
                        config.live() ? 0 : entries),
                registry);
        // statuses matter only when this responder signs (live, or nonces)
        FeedCache<StatusRow> status = gauged(
                new FeedCache<>(
                        "certificates",
                        List.of(""),
                        (issuer, serial, none) -> statuses.find(serial, issuer),
                        pool,
                        hsm.enabled() ? entries : 0),
                registry);
        return new Caches(responses, status);
    }

    /** Both feed caches, closed together. */
    public record Caches(FeedCache<PresignedRow> responses, FeedCache<StatusRow> statuses) implements AutoCloseable {
        PresignedLookup presigned() {
            return new PresignedLookup() {
                @Override
                public Optional<PresignedRow> find(String serial, String hash, String issuerId) {
                    return responses.find(issuerId, serial, hash);
                }

                @Override
                public boolean heldInMemory() {
                    return responses.listening(); // rows found now are kept in the cache (or dropped on a change)
                }

                @Override
                public PresignedLookup inMemory() {
                    return new PresignedLookup() {
                        @Override
                        public Optional<PresignedRow> find(String serial, String hash, String issuerId) {
                            return Optional.ofNullable(responses.peek(issuerId, serial, hash));
                        }

                        @Override
                        public boolean heldInMemory() {
                            return true;
                        }
                    };
                }
            };
        }

        StatusLookup status() {
            return (serial, issuer) -> statuses.find(issuer, serial, "");
        }

        @Override
        public void close() {
            responses.close();
            statuses.close();
        }
    }

    private static <V> FeedCache<V> gauged(FeedCache<V> cache, MeterRegistry registry) {
        if (!cache.enabled()) {
            return cache;
        }
        Gauge.builder("pki.ocsp.cache.entries", cache, FeedCache::size)
                .tag("channel", cache.channel())
                .description("Rows held in memory, kept true by the store's change feed")
                .register(registry);
        Gauge.builder("pki.ocsp.change.feed.up", cache, c -> c.listening() ? 1 : 0)
                .tag("channel", cache.channel())
                .description("1 while the store's change feed is heard and rows are served from memory")
                .register(registry);
        return cache;
    }

    @Singleton
    Responder responder(
            ResponderConfig config,
            HsmSettings hsm,
            KnownIssuers issuers,
            Store.Issuers issuerRows,
            Caches caches,
            Clock clock,
            MeterRegistry registry) {
        StatusLookup statuses = caches.status();
        Source live = hsm.enabled() ? new Lazy(() -> live(config, hsm, issuerRows, statuses, clock)) : null;
        if (config.live() && live == null) {
            throw new IllegalStateException("pki.ocsp.mode=live needs pki.hsm.enabled=true");
        }
        Source cachedLive = live == null
                ? null
                : new CachingSource(
                        live, statuses, Duration.ofSeconds(config.cacheSeconds()), config.cacheEntries(), clock);
        Source main = config.live() ? cachedLive : new PresignedSource(caches.presigned(), cachedLive, clock);
        IssuerFilter nonceChain = live != null && config.liveForNonce() ? new IssuerFilter(issuers, live) : null;
        IssuerFilter mainChain = new IssuerFilter(issuers, main);
        // answered on the event loop only from memory; a store read or a signature on a lane of its own
        IssuerFilter keyless = config.live()
                ? null
                : new IssuerFilter(
                        issuers, new PresignedSource(caches.presigned().inMemory(), null, clock), true);
        IssuerFilter stored =
                config.live() ? null : new IssuerFilter(issuers, new PresignedSource(caches.presigned(), null, clock));
        LiveLane storeLane = config.live()
                ? null
                : LiveLane.bounded(
                        LiveLane.Kind.STORE, STORE_THREADS, config.liveQueue(), config.liveTimeout(), registry);
        if (live == null) {
            return new Responder(mainChain, null, keyless, stored, storeLane, null);
        }
        int threads = config.laneThreads(hsm.library());
        if (threads == 0) { // an HSM in the process: a nonce is signed on the event loop, no hop is cheaper
            return new Responder(mainChain, nonceChain, keyless, stored, storeLane, null);
        }
        LiveLane hsmLane =
                LiveLane.bounded(LiveLane.Kind.HSM, threads, config.liveQueue(), config.liveTimeout(), registry);
        return new Responder(mainChain, nonceChain, keyless, stored, storeLane, hsmLane);
    }

    /** Opens the HSM and loads the signer certificate on first use, so a responder starts while the store is down. */
    static final class Lazy implements Source {
        private final Supplier<Source> factory;
        private volatile Source source;

        Lazy(Supplier<Source> factory) {
            this.factory = factory;
        }

        @Override
        public Answer respond(ResolvedQuery query) {
            Source s = source;
            if (s == null) {
                synchronized (this) {
                    if (source == null) {
                        source = factory.get();
                    }
                    s = source;
                }
            }
            return s.respond(query);
        }
    }

    private static Source live(
            ResponderConfig config, HsmSettings hsm, Store.Issuers issuerRows, StatusLookup statuses, Clock clock) {
        KeyBackend keys = hsm.open();
        String role = config.signerKey().role().alias();
        IssuerRow signer = issuerRows
                .active(role)
                .orElseThrow(() ->
                        new IllegalStateException("no active " + role + " certificate in the store: run 'ca init'"));
        try {
            // A delegated signer speaks for the CA that certified it; the CA's own key for itself.
            String issuerId = config.signerKey() == ResponderConfig.Signer.CA ? signer.id() : signer.parentId();
            return new LiveSource(
                    statuses,
                    keys.signingKey(role),
                    new X509CertificateHolder(signer.certificateDer()),
                    issuerId,
                    Duration.ofHours(config.validityHours()),
                    clock);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable " + role + " certificate", e);
        }
    }
}
