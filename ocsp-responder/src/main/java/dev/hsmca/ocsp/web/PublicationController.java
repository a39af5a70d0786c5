package dev.hsmca.ocsp.web;

import dev.hsmca.core.CaRole;
import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.Store;
import dev.hsmca.server.ErrorBody;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What certificates point at: {@code /crl/<ca>.crl} (DER) and {@code .pem}, a shard's {@code /crl/<ca>/<n>.crl}, the
 * delta {@code /crl/<ca>/delta.crl}, and {@code /ca/<ca>.crt} (DER),
 * where {@code <ca>} is a CA id ({@code issuing-1a2b3c4d}) or {@code issuing}/{@code root} for the active one.
 */
@ExecuteOn(TaskExecutors.BLOCKING) // reads the store: not on an event loop, where OCSP answers would wait behind it
@Controller
public class PublicationController {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9-]{1,64}$");
    private static final Pattern PART = Pattern.compile("^(delta|[0-9]{1,4})$");
    private static final int DELTA = -1;
    private static final long MAX_CRL_CACHE_SECONDS = 3600;
    /** A shard or delta is replaced within a second of a revocation: caches ask again each minute (a 304 is cheap). */
    private static final long MAX_PART_CACHE_SECONDS = 60;

    private final Store.Issuers issuers;
    private final CrlFiles files;
    private final Clock clock;

    public PublicationController(Store.Issuers issuers, CrlFiles files, Clock clock) {
        this.issuers = issuers;
        this.files = files;
        this.clock = clock;
    }

    @Get("/crl/{file}")
    public HttpResponse<?> crl(@PathVariable String file, HttpRequest<?> request) {
        boolean pem = file.endsWith(".pem");
        if (!file.endsWith(".crl") && !pem) {
            return notFound("CRLs are /crl/<ca>.crl (DER) or /crl/<ca>.pem");
        }
        return serve(
                ca(file.substring(0, file.length() - 4)).map(c -> new CrlFiles.Id(c.id(), null)), file, pem, request);
    }

    /** A shard's CRL ({@code /crl/<ca>/<n>.crl}) or the full CRL's delta ({@code /crl/<ca>/delta.crl}). */
    @Get("/crl/{ca}/{file}")
    public HttpResponse<?> part(@PathVariable("ca") String caName, @PathVariable String file, HttpRequest<?> request) {
        boolean pem = file.endsWith(".pem");
        String name = file.length() > 4 ? file.substring(0, file.length() - 4) : "";
        if ((!file.endsWith(".crl") && !pem) || !PART.matcher(name).matches()) {
            return notFound("CRL parts are /crl/<ca>/<shard>.crl and /crl/<ca>/delta.crl (or .pem)");
        }
        int part = name.equals("delta") ? DELTA : Integer.parseInt(name);
        return serve(ca(caName).map(c -> new CrlFiles.Id(c.id(), part)), caName + "/" + file, pem, request);
    }

    /**
     * Served like a static file: a strong ETag and Last-Modified (its thisUpdate), 304 to a client that has it, and a
     * max-age that ends by its nextUpdate, within an hour for a full CRL and a minute for a shard or delta.
     */
    private HttpResponse<?> serve(Optional<CrlFiles.Id> id, String file, boolean pem, HttpRequest<?> request) {
        Optional<CrlFiles.File> crl = id.flatMap(files::newest);
        if (crl.isEmpty()) {
            return notFound("no CRL for " + file);
        }
        CrlFiles.File f = crl.get();
        String etag = "\"" + f.etag() + (pem ? "-pem" : "") + "\"";
        long maxAge = Math.max(
                0,
                Math.min(
                        id.get().part() == null ? MAX_CRL_CACHE_SECONDS : MAX_PART_CACHE_SECONDS,
                        Duration.between(clock.instant(), f.nextUpdate()).toSeconds()));
        MutableHttpResponse<?> r = notModified(request, etag, f.thisUpdate())
                ? HttpResponse.status(HttpStatus.NOT_MODIFIED)
                : HttpResponse.ok(pem ? pem("X509 CRL", f.der()) : f.der())
                        .contentType(pem ? "application/x-pem-file" : "application/pkix-crl");
        r.header("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate");
        r.header("Last-Modified", OcspHttp.http(f.thisUpdate()));
        r.header("Expires", OcspHttp.http(f.nextUpdate()));
        r.header("ETag", etag);
        return r;
    }

    /** RFC 9110 section 13.1: If-None-Match decides when present; else If-Modified-Since against Last-Modified. */
    static boolean notModified(HttpRequest<?> request, String etag, Instant lastModified) {
        String match = request.getHeaders().get("If-None-Match");
        if (match != null) {
            for (String tag : match.split(",", -1)) {
                String t = tag.trim();
                if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                    return true;
                }
            }
            return false;
        }
        String since = request.getHeaders().get("If-Modified-Since");
        if (since == null) {
            return false;
        }
        try {
            Instant at = ZonedDateTime.parse(since.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return !lastModified.isAfter(at);
        } catch (DateTimeParseException e) {
            return false; // an unreadable date is ignored (RFC 9110 section 13.1.3)
        }
    }

    @Get("/ca/{file}")
    public HttpResponse<?> certificate(@PathVariable String file) {
        if (!file.endsWith(".crt")) {
            return notFound("CA certificates are /ca/<ca>.crt (DER)");
        }
        return ca(file.substring(0, file.length() - 4))
                .<HttpResponse<?>>map(c -> HttpResponse.ok(c.certificateDer())
                        .contentType("application/pkix-cert")
                        .header("Cache-Control", "max-age=86400, public"))
                .orElseGet(() -> notFound("no CA certificate " + file));
    }

    private Optional<IssuerRow> ca(String name) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        if (name.equals(CaRole.ISSUING.alias()) || name.equals(CaRole.ROOT.alias())) {
            return issuers.active(name);
        }
        return issuers.findById(name)
                .filter(c -> c.role().equals(CaRole.ISSUING.alias()) || c.role().equals(CaRole.ROOT.alias()));
    }

    private static HttpResponse<ErrorBody> notFound(String message) {
        return HttpResponse.<ErrorBody>status(HttpStatus.NOT_FOUND).body(new ErrorBody("not_found", message));
    }

    private static byte[] pem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
