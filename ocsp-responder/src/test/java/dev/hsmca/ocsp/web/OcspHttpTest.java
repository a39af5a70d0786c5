package dev.hsmca.ocsp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.ResponseStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The reply's RFC 5019 headers, and which responses keep theirs (fixed clock). */
class OcspHttpTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    final OcspHttp http = http(Duration.ofHours(1));

    static OcspHttp http(Duration maxAge) {
        return http(maxAge, new SimpleMeterRegistry());
    }

    static OcspHttp http(Duration maxAge, SimpleMeterRegistry registry) {
        return new OcspHttp(Clock.fixed(NOW, ZoneOffset.UTC), registry, new Warmup(null, null, Duration.ZERO), maxAge);
    }

    static Answer presigned(boolean held) {
        return presigned(held, NOW.plusSeconds(7200));
    }

    static Answer presigned(boolean held, Instant nextUpdate) {
        return new Answer(
                new byte[] {1, 2, 3},
                ResponseStatus.SUCCESSFUL,
                NOW.minusSeconds(3600),
                nextUpdate,
                Answer.Mode.PRESIGNED,
                "good",
                held);
    }

    @Test
    void aGetAnswerCarriesTheCachingHeadersOfItsResponse() {
        OcspHttp.Reply r = http(Duration.ofHours(3)).reply(presigned(false), true);
        assertEquals("max-age=7200, public, no-transform, must-revalidate", r.cacheControl());
        assertEquals("Thu, 26 Nov 2026 11:00:00 GMT", r.cache().lastModified());
        assertEquals("Thu, 26 Nov 2026 14:00:00 GMT", r.expires(), "nextUpdate, within the bound");
        assertEquals("\"039058c6f2c0cb492c533b0a4d14ef77\"", r.cache().etag()); // SHA-256 of 01 02 03, first 16 octets

        OcspHttp.Reply post = http.reply(presigned(false), false);
        assertEquals("no-cache, no-store", post.cacheControl());
        assertNull(post.cache());
        assertNull(post.expires());
        assertEquals(
                "no-cache, no-store",
                http.reply(Answer.error(ResponseStatus.TRY_LATER), true).cacheControl());
    }

    /** Every status and mode a client can see is a series at 0 before the first answer, so rate() works at once. */
    @Test
    void responseCountersStartAtZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        http(Duration.ofHours(1), registry);
        for (String mode : new String[] {"presigned", "live"}) {
            for (String status : new String[] {"good", "revoked", "unknown"}) {
                assertEquals(
                        0.0,
                        registry.get("pki.ocsp.responses")
                                .tags("status", status, "mode", mode)
                                .counter()
                                .count(),
                        status + " " + mode);
            }
        }
        assertEquals(
                0.0,
                registry.get("pki.ocsp.responses")
                        .tags("status", "try_later", "mode", "error")
                        .counter()
                        .count());
    }

    /** Dashboards read pki_ocsp_responses_total{status, mode} by these names: the typed answer keeps them. */
    @Test
    void responsesAreCountedByCertificateStatusOrErrorAndMode() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OcspHttp counting = http(Duration.ofHours(1), registry);
        counting.measured(presigned(false), System.nanoTime(), null);
        counting.measured(
                new Answer(
                        new byte[] {4},
                        ResponseStatus.SUCCESSFUL,
                        NOW,
                        NOW.plusSeconds(60),
                        Answer.Mode.LIVE,
                        "revoked"),
                System.nanoTime(),
                null);
        for (ResponseStatus error : new ResponseStatus[] {
            ResponseStatus.MALFORMED_REQUEST,
            ResponseStatus.INTERNAL_ERROR,
            ResponseStatus.TRY_LATER,
            ResponseStatus.UNAUTHORIZED
        }) {
            counting.measured(Answer.error(error), System.nanoTime(), null);
        }
        assertEquals(
                1.0,
                registry.get("pki.ocsp.responses")
                        .tags("status", "good", "mode", "presigned")
                        .counter()
                        .count());
        assertEquals(
                1.0,
                registry.get("pki.ocsp.responses")
                        .tags("status", "revoked", "mode", "live")
                        .counter()
                        .count());
        for (String error : new String[] {"malformed_request", "internal_error", "try_later", "unauthorized"}) {
            assertEquals(
                    1.0,
                    registry.get("pki.ocsp.responses")
                            .tags("status", error, "mode", "error")
                            .counter()
                            .count(),
                    error);
        }
        // The six counted, and the other series at 0 since the start (good/revoked/unknown x presigned/live, errors).
        assertEquals(10, registry.find("pki.ocsp.responses").counters().size());
        assertEquals(
                6.0,
                registry.find("pki.ocsp.responses").counters().stream()
                        .mapToDouble(io.micrometer.core.instrument.Counter::count)
                        .sum());
    }

    /**
     * A pre-signed 'good' is valid for 96 hours; an HTTP cache in front must not keep it that long, or a revocation
     * would reach nobody behind it for days. max-age and Expires (for HTTP/1.0 caches) stop at the setting.
     */
    @Test
    void aCacheKeepsAGetAnswerNoLongerThanTheSetting() {
        OcspHttp.Reply days = http.reply(presigned(true, NOW.plus(Duration.ofDays(4))), true);
        assertEquals("max-age=3600, public, no-transform, must-revalidate", days.cacheControl());
        assertEquals("Thu, 26 Nov 2026 13:00:00 GMT", days.expires());
        assertEquals("Thu, 26 Nov 2026 11:00:00 GMT", days.cache().lastModified(), "the validators are the response's");

        OcspHttp.Reply soon = http.reply(presigned(false, NOW.plusSeconds(1800)), true);
        assertEquals(
                "max-age=1800, public, no-transform, must-revalidate", soon.cacheControl(), "nextUpdate comes first");
        assertEquals("Thu, 26 Nov 2026 12:30:00 GMT", soon.expires());

        OcspHttp.Reply never = http(Duration.ZERO).reply(presigned(false), true);
        assertEquals("max-age=0, public, no-transform, must-revalidate", never.cacheControl());
        assertEquals("Thu, 26 Nov 2026 12:00:00 GMT", never.expires());
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
