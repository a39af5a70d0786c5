package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.responder.Responder;
import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.ResponseStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import java.util.concurrent.CompletableFuture;

/**
 * RFC 6960 over HTTP: POST of application/ocsp-request to {@code /} or {@code /ocsp}, and RFC 5019 GET with the
 * base64 (URL-encoded) request in the path. GET answers carry the RFC 5019 caching headers. Most requests are
 * answered before the router by {@link OcspFastPath}; this controller takes the rest (pipelined behind another
 * request, chunked, compressed, HTTP/2) with the same answers.
 */
@Controller
public class OcspController {
    private final Responder responder;
    private final OcspHttp http;

    public OcspController(Responder responder, OcspHttp http) {
        this.responder = responder;
        this.http = http;
    }

    @Post(
            uris = {"/", "/ocsp"},
            consumes = OcspHttp.REQUEST,
            produces = OcspHttp.RESPONSE)
    public CompletableFuture<HttpResponse<byte[]>> post(
            @Nullable @Body byte[] body, @Nullable @Header(Warmup.HEADER) String warming) {
        long start = System.nanoTime();
        return responder.answerAsync(body).thenApply(a -> render(http.measured(a, start, warming), false));
    }

    @Get(
            uris = {"/{+encoded}"},
            produces = OcspHttp.RESPONSE)
    public CompletableFuture<HttpResponse<byte[]>> get(
            HttpRequest<?> request, @Nullable @Header(Warmup.HEADER) String warming) {
        long start = System.nanoTime();
        byte[] der = OcspHttp.requestFromPath(request.getUri().getRawPath());
        if (der == null) {
            Answer malformed = Answer.error(ResponseStatus.MALFORMED_REQUEST);
            return CompletableFuture.completedFuture(render(http.measured(malformed, start, warming), false));
        }
        return responder.answerAsync(der).thenApply(a -> render(http.measured(a, start, warming), true));
    }

    private HttpResponse<byte[]> render(Answer a, boolean get) {
        OcspHttp.Reply reply = http.reply(a, get);
        MutableHttpResponse<byte[]> r = HttpResponse.ok(reply.body())
                .contentType(OcspHttp.RESPONSE)
                .header("Cache-Control", reply.cacheControl());
        if (reply.cache() != null) {
            r.header("Last-Modified", reply.cache().lastModified());
            r.header("Expires", reply.expires());
            r.header("ETag", reply.cache().etag());
        }
        return r;
    }
}
