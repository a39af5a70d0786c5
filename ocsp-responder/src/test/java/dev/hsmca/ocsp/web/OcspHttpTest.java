package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.source.Answer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The reply's RFC 5019 headers, and which responses keep theirs (fixed clock). */
class OcspHttpTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    final OcspHttp http = new OcspHttp(Clock.fixed(NOW, ZoneOffset.UTC), new SimpleMeterRegistry(),
            new Warmup(null, null, Duration.ZERO));

    static Answer presigned(boolean held) {
        return new Answer(new byte[]{1, 2, 3}, 0, NOW.minusSeconds(3600), NOW.plusSeconds(7200), "presigned", "good", held);
    }

    @Test
    void aGetAnswerCarriesTheCachingHeadersOfItsResponse() {
        OcspHttp.Reply r = http.reply(presigned(false), true);
        assertEquals("max-age=7200, public, no-transform, must-revalidate", r.cacheControl());
        assertEquals("Thu, 26 Nov 2026 11:00:00 GMT", r.cache().lastModified());
        assertEquals("Thu, 26 Nov 2026 14:00:00 GMT", r.cache().expires());
        assertEquals("\"039058c6f2c0cb492c533b0a4d14ef77\"", r.cache().etag()); // SHA-256 of 01 02 03, first 16 octets

        OcspHttp.Reply post = http.reply(presigned(false), false);
        assertEquals("no-cache, no-store", post.cacheControl());
        assertNull(post.cache());
        assertEquals("no-cache, no-store", http.reply(Answer.error(Answer.TRY_LATER), true).cacheControl());
    }

    @Test
    void onlyAResponseHeldInMemoryKeepsItsHeaders() {
        Answer held = presigned(true);
        assertSame(http.reply(held, true).cache(), http.reply(held, true).cache(), "made once, then found again");
        assertEquals(1, http.keptHeaders());
        for (int i = 0; i < 100; i++) {
            http.reply(presigned(false), true); // read afresh from the store each time: never found again
        }
        assertEquals(1, http.keptHeaders());
    }
}
