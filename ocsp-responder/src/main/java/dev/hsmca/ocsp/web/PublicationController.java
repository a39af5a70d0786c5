package dev.hsmca.ocsp.web;

import dev.hsmca.core.CaRole;
import dev.hsmca.ocsp.store.CrlRow;
import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.Store;
import dev.hsmca.server.ErrorBody;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What certificates point at: {@code /crl/<ca>.crl} (DER) and {@code .pem}, and {@code /ca/<ca>.crt} (DER),
 * where {@code <ca>} is a CA id ({@code issuing-1a2b3c4d}) or {@code issuing}/{@code root} for the active one.
 */
@Controller
public class PublicationController {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9-]{1,64}$");
    private static final long MAX_CRL_CACHE_SECONDS = 3600;

    private final Store.Issuers issuers;
    private final Store.Crls crls;
    private final Clock clock;

    public PublicationController(Store.Issuers issuers, Store.Crls crls, Clock clock) {
        this.issuers = issuers;
        this.crls = crls;
        this.clock = clock;
    }

    @Get("/crl/{file}")
    public HttpResponse<?> crl(@PathVariable String file) {
        boolean pem = file.endsWith(".pem");
        if (!file.endsWith(".crl") && !pem) {
            return notFound("CRLs are /crl/<ca>.crl (DER) or /crl/<ca>.pem");
        }
        Optional<IssuerRow> ca = ca(file.substring(0, file.length() - 4));
        Optional<CrlRow> crl = ca.flatMap(c -> crls.latest(c.id()));
        if (crl.isEmpty()) {
            return notFound("no CRL for " + file);
        }
        CrlRow row = crl.get();
        byte[] body = pem ? pem("X509 CRL", row.crlDer()) : row.crlDer();
        long maxAge = Math.max(
                0,
                Math.min(
                        MAX_CRL_CACHE_SECONDS,
                        Duration.between(clock.instant(), row.nextUpdate()).toSeconds()));
        MutableHttpResponse<byte[]> r =
                HttpResponse.ok(body).contentType(pem ? "application/x-pem-file" : "application/pkix-crl");
        r.header("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate");
        r.header("Last-Modified", OcspHttp.http(row.thisUpdate()));
        r.header("Expires", OcspHttp.http(row.nextUpdate()));
        r.header("ETag", "\"" + OcspHttp.etag(body) + "\"");
        return r;
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
