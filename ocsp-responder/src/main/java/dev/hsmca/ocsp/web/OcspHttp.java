package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.responder.ResponderConfig;
import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.ResponseStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What both ways in to OCSP over HTTP share ({@link OcspFastPath} in the Netty pipeline, and {@link OcspController}
 * behind Micronaut's router): the RFC 5019 GET path, the metrics, and the reply's headers. One place, so the two
 * cannot answer differently.
 */
@Singleton
public class OcspHttp {
    static final String REQUEST = "application/ocsp-request";
    static final String RESPONSE = "application/ocsp-response";
    static final int MAX_GET_CHARS = 4096;

    /**
     * A reply: the body, its Cache-Control, and for a cacheable GET answer the RFC 5019 validators and its Expires
     * (the same moment as its max-age).
     */
    record Reply(
            byte[] body,
            String cacheControl,
            @Nullable CacheHeaders cache,
            @Nullable String expires) {}

    /** The RFC 5019 headers that depend on the response alone; {@code nextUpdate} is its HTTP date. */
    record CacheHeaders(String lastModified, String nextUpdate, String etag) {
        static CacheHeaders of(Answer a) {
            return new CacheHeaders(
                    OcspHttp.http(a.thisUpdate()), OcspHttp.http(a.nextUpdate()), "\"" + OcspHttp.etag(a.der()) + "\"");
        }
    }

    /** An HTTP date made once per second (the bounded Expires of most answers). */
    private record Stamp(long second, String value) {}

    private final Clock clock;
    private final MeterRegistry registry;
    private final Warmup warmup;
    private final Timer latency;
    /**
     * The counters by mode (its ordinal), then by status: found without building a key string for each answer.
     */
    private final List<Map<String, Counter>> responses = Arrays.stream(Answer.Mode.values())
            .map(m -> (Map<String, Counter>) new ConcurrentHashMap<String, Counter>())
            .toList();
    /**
     * Made once per pre-signed response held in memory (the same array each time it is served), not per GET: the
     * hash and two dates were a good part of a GET's work. A direct-mapped table by the array's identity: a hit is
     * one read, no allocation and no other thread (a weak-keyed cache's bookkeeping cost a GET more than the hit
     * saved); a slot is overwritten by the next response that maps to it, so at most {@link #HEADER_SLOTS} arrays are
     * kept. A response read afresh from the store (no change feed, as on H2) is never found again, so it is not kept.
     */
    private final AtomicReferenceArray<Held> cacheHeaders = new AtomicReferenceArray<>(HEADER_SLOTS);

    static final int HEADER_SLOTS = 4096;

    /** A response array and its headers. */
    private record Held(byte[] der, CacheHeaders headers) {}
    /**
     * The longest an HTTP cache may keep a GET answer ({@code pki.ocsp.http-max-age}): a pre-signed 'good' is valid
     * for days, and a cache in front would serve it that long after a revocation.
     */
    private final long maxAgeSeconds;

    private volatile Stamp expiresStamp = new Stamp(Long.MIN_VALUE, "");
    /** The Cache-Control of nearly every GET answer (nextUpdate days away, max-age at the setting), made once. */
    private final String boundedCacheControl;

    @Inject
    public OcspHttp(Clock clock, MeterRegistry registry, Warmup warmup, ResponderConfig config) {
        this(clock, registry, warmup, config.httpMaxAge());
    }

    OcspHttp(Clock clock, MeterRegistry registry, Warmup warmup, Duration maxAge) {
        this.clock = clock;
        this.registry = registry;
        this.warmup = warmup;
        this.maxAgeSeconds = maxAge.toSeconds();
        this.boundedCacheControl = cacheControl(maxAgeSeconds);
        this.latency = Timer.builder("pki.ocsp.request")
                .description("OCSP request latency")
                .publishPercentileHistogram()
                .register(registry);
        registerAtZero();
    }

    /**
     * Every series a client's answer can land in, at 0 from the start, so {@code rate()} and alerts see them before
     * the first answer of each kind.
     */
    private void registerAtZero() {
        for (Answer.Mode mode : List.of(Answer.Mode.PRESIGNED, Answer.Mode.LIVE)) {
            for (String status : List.of("good", "revoked", "unknown")) {
                counterOf(status, mode);
            }
        }
        for (ResponseStatus status : ResponseStatus.values()) {
            if (status != ResponseStatus.SUCCESSFUL) {
                counterOf(status.tag(), Answer.Mode.ERROR);
            }
        }
    }

    private Counter counterOf(String status, Answer.Mode mode) {
        Map<String, Counter> byStatus = responses.get(mode.ordinal());
        Counter c = byStatus.get(status);
        return c != null ? c : byStatus.computeIfAbsent(status, k -> counter(k, mode));
    }

    private Counter counter(String status, Answer.Mode mode) {
        return Counter.builder("pki.ocsp.responses")
                .tag("status", status)
                .tag("mode", mode.tag())
                .description("OCSP responses by certificate status (or error) and how they were signed")
                .register(registry);
    }

    /** How many responses' headers are kept (for tests). */
    long keptHeaders() {
        long n = 0;
        for (int i = 0; i < HEADER_SLOTS; i++) {
            n += cacheHeaders.get(i) == null ? 0 : 1;
        }
        return n;
    }

    private CacheHeaders headersOf(Answer a) {
        if (!a.held()) {
            return CacheHeaders.of(a);
        }
        int slot = System.identityHashCode(a.der()) & (HEADER_SLOTS - 1);
        Held h = cacheHeaders.get(slot);
        if (h == null || h.der() != a.der()) {
            h = new Held(a.der(), CacheHeaders.of(a));
            cacheHeaders.set(slot, h);
        }
        return h.headers();
    }

    /** {@code pki_ocsp_responses_total{status, mode}} and {@code pki_ocsp_request_seconds}, for clients only. */
    Answer measured(Answer a, long start, @Nullable String warming) {
        if (warmup.own(warming)) {
            return a;
        }
        counterOf(a.certStatus(), a.mode()).increment();
        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return a;
    }

    /**
     * A GET answer may be cached until its nextUpdate, but no longer than {@code pki.ocsp.http-max-age}; Expires says
     * the same moment as max-age. (RFC 5019 section 6.2 puts Expires at nextUpdate, with a max-age before it; an
     * HTTP/1.1 cache ignores Expires when max-age is given, but an HTTP/1.0 one would keep a 'good' until nextUpdate.)
     */
    Reply reply(Answer a, boolean get) {
        if (get && a.successful() && a.nextUpdate() != null) {
            // whole seconds on both sides, so Expires is the max-age moment (HTTP dates have no fractions)
            long now = clock.instant().getEpochSecond();
            long untilNextUpdate = Math.max(0, a.nextUpdate().getEpochSecond() - now);
            CacheHeaders h = headersOf(a);
            if (maxAgeSeconds < untilNextUpdate) {
                return new Reply(a.der(), boundedCacheControl, h, expiresFrom(now));
            }
            return new Reply(a.der(), cacheControl(untilNextUpdate), h, h.nextUpdate());
        }
        return new Reply(a.der(), "no-cache, no-store", null, null);
    }

    private static String cacheControl(long maxAge) {
        return "max-age=" + maxAge + ", public, no-transform, must-revalidate";
    }

    /** The HTTP date {@code http-max-age} after this second, formatted once a second. */
    private String expiresFrom(long second) {
        Stamp s = expiresStamp;
        if (s.second() != second) {
            s = new Stamp(second, http(Instant.ofEpochSecond(second + maxAgeSeconds)));
            expiresStamp = s;
        }
        return s.value();
    }

    /**
     * The DER of an RFC 5019 GET from its raw path ({@code /<base64>} or {@code /ocsp/<base64>}, %-escaped or not,
     * standard or URL-safe base64); null when that is empty, too long or not base64. Read from the raw path: a path
     * variable would have been URL-decoded again (and each '+' turned into a space), a good part of a GET's work.
     */
    static byte[] requestFromPath(String rawPath) {
        int from = rawPath.startsWith("/ocsp/") ? 6 : rawPath.startsWith("/") ? 1 : 0;
        int chars = rawPath.length() - from;
        if (chars <= 0 || chars > MAX_GET_CHARS) {
            return null;
        }
        // %-escapes decoded straight into the base64 bytes (URLDecoder's strings cost as much as the rest of a GET)
        byte[] text = new byte[chars];
        int length = 0;
        boolean urlSafe = false;
        for (int i = from; i < rawPath.length(); i++) {
            int c = rawPath.charAt(i);
            if (c == '%') {
                int hi = i + 2 < rawPath.length() ? Character.digit(rawPath.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(rawPath.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    return null;
                }
                c = hi << 4 | lo;
                i += 2;
            }
            if (c == ' ') {
                c = '+'; // a '+' that someone decoded on the way
            }
            urlSafe |= c == '-' || c == '_';
            text[length++] = (byte) c;
        }
        try {
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder())
                    .decode(length == chars ? text : Arrays.copyOf(text, length));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String http(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
    }

    static String etag(byte[] body) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(body))
                    .substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
