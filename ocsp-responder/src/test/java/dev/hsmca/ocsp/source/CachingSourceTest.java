package dev.hsmca.ocsp.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.StatusRow;
import dev.hsmca.ocsp.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The cache saves signatures, never freshness: a status change is a cache miss. */
class CachingSourceTest {
    final AtomicReference<StatusRow> status = new AtomicReference<>();
    final AtomicInteger signed = new AtomicInteger();
    final Instant now = Instant.parse("2026-11-25T12:00:00Z");
    final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

    final Store.Statuses statuses = new Store.Statuses() {
        @Override
        public Optional<StatusRow> find(String serial, String issuerId) {
            return Optional.ofNullable(status.get());
        }
    };

    final Source signer = q -> {
        signed.incrementAndGet();
        return new Answer(
                new byte[] {(byte) signed.get()},
                ResponseStatus.SUCCESSFUL,
                now,
                now.plus(Duration.ofDays(4)),
                Answer.Mode.LIVE,
                "good");
    };

    ResolvedQuery query(byte[] nonce) throws Exception {
        IssuerRow issuer =
                new IssuerRow("issuing-1", "issuing", "root-1", "01", "", "", "", "", now, new byte[0], true);
        return new ResolvedQuery(new OcspQuery(List.of(RequestParserTest.id(5)), nonce), issuer, null, "sha1");
    }

    @Test
    void reusesOnlyForTheSameStatus() throws Exception {
        CachingSource cache = new CachingSource(signer, statuses, Duration.ofMinutes(5), 100, clock);
        status.set(new StatusRow("5", "issuing-1", "valid", now.plusSeconds(1000), null, null));
        Answer first = cache.respond(query(null));
        assertSame(first, cache.respond(query(null)));
        assertEquals(1, signed.get());

        status.set(new StatusRow("5", "issuing-1", "revoked", now.plusSeconds(1000), now, "keyCompromise"));
        Answer revoked = cache.respond(query(null));
        assertEquals(2, signed.get(), "a revocation is never answered from the cache");
        assertSame(revoked, cache.respond(query(null)));

        cache.respond(query(new byte[] {4, 1, 7}));
        assertEquals(3, signed.get(), "nonce requests are always signed");
    }
}
