package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.Responder;
import dev.hsmca.ocsp.source.Answer;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * RFC 6960 over HTTP: POST of application/ocsp-request to {@code /} or {@code /ocsp}, and RFC 5019 GET with the
 * base64 (URL-encoded) request in the path. GET answers carry the RFC 5019 caching headers.
 */
@Controller
public class OcspController {
    static final String REQUEST = "application/ocsp-request";
    static final String RESPONSE = "application/ocsp-response";
    static final int MAX_GET_CHARS = 4096;

    private final Responder responder;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Warmup warmup;
    private final Timer latency;
    private final Map<String, Counter> responses = new ConcurrentHashMap<>();

    public OcspController(Responder responder, Clock clock, MeterRegistry registry, Warmup warmup) {
        this.responder = responder;
        this.clock = clock;
        this.registry = registry;
        this.warmup = warmup;
        this.latency = Timer.builder("pki.ocsp.request").description("OCSP request latency").publishPercentileHistogram()
                .register(registry);
    }

    @Post(uris = {"/", "/ocsp"}, consumes = REQUEST, produces = RESPONSE)
    public HttpResponse<byte[]> post(@Nullable @Body byte[] body, @Nullable @Header(Warmup.HEADER) String warming) {
        long start = System.nanoTime();
        return render(measured(responder.answer(body), start, warming), false);
    }

    /** {@code pki_ocsp_responses_total{status, mode}} and {@code pki_ocsp_request_seconds}, for clients only. */
    private Answer measured(Answer a, long start, String warming) {
        if (warmup.own(warming)) {
            return a;
        }
        responses.computeIfAbsent(a.certStatus() + ' ' + a.mode(), k -> Counter.builder("pki.ocsp.responses")
                .tag("status", a.certStatus()).tag("mode", a.mode())
                .description("OCSP responses by certificate status (or error) and how they were signed")
                .register(registry)).increment();
        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return a;
    }

    /**
     * The request is read from the raw path, not from a path variable: the router's variable binding URL-decoded the
     * whole request again on every GET (and turned each '+' into a space), a good part of a GET's work.
     */
    @Get(uris = {"/{+encoded}"}, produces = RESPONSE)
    public HttpResponse<byte[]> get(HttpRequest<?> request, @Nullable @Header(Warmup.HEADER) String warming) {
        long start = System.nanoTime();
        byte[] der = requestFromPath(request.getUri().getRawPath());
        if (der == null) {
            return render(measured(Answer.error(Answer.MALFORMED), start, warming), false);
        }
        return render(measured(responder.answer(der), start, warming), true);
    }

    /**
     * The DER of an RFC 5019 GET from its raw path ({@code /<base64>} or {@code /ocsp/<base64>}, %-escaped or not,
     * standard or URL-safe base64); null when that is empty, too long or not base64.
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
                c = '+';  // a '+' that someone decoded on the way
            }
            urlSafe |= c == '-' || c == '_';
            text[length++] = (byte) c;
        }
        try {
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(length == chars ? text : Arrays.copyOf(text, length));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The RFC 5019 headers that depend on the response alone. */
    private record CacheHeaders(String lastModified, String expires, String etag) {
        static CacheHeaders of(Answer a) {
            return new CacheHeaders(OcspController.http(a.thisUpdate()), OcspController.http(a.nextUpdate()),
                    "\"" + OcspController.etag(a.der()) + "\"");
        }
    }

    /**
     * Made once per pre-signed response held in memory (the same array each time it is served), not per GET: the
     * hash and two dates were a good part of a GET's work. Weak keys: compared by identity, gone with the response.
     */
    private final Cache<byte[], CacheHeaders> cacheHeaders = Caffeine.newBuilder().weakKeys().maximumSize(20_000).build();

    private HttpResponse<byte[]> render(Answer a, boolean get) {
        MutableHttpResponse<byte[]> r = HttpResponse.ok(a.der()).contentType(RESPONSE);
        if (get && a.successful() && a.nextUpdate() != null) {
            Instant now = clock.instant();
            long maxAge = Math.max(0, Duration.between(now, a.nextUpdate()).getSeconds());
            CacheHeaders h = a.mode().equals("presigned") ? cacheHeaders.get(a.der(), k -> CacheHeaders.of(a))
                    : CacheHeaders.of(a);
            r.header("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate");
            r.header("Last-Modified", h.lastModified());
            r.header("Expires", h.expires());
            r.header("ETag", h.etag());
        } else {
            r.header("Cache-Control", "no-cache, no-store");
        }
        return r;
    }

    static String http(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
    }

    static String etag(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)).substring(0, 32);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
