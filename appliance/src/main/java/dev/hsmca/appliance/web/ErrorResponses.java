package dev.hsmca.appliance.web;

import dev.hsmca.appliance.acme.AcmeProblem;
import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.server.ErrorBody;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Domain errors become HTTP here, once: the kind decides the status; never a stack trace to the client. */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    /** Seconds a client should wait before retrying after a 503. */
    static final int RETRY_AFTER_SECONDS = 5;

    private ErrorResponses() {}

    public static HttpStatus status(PkiException.Kind kind) {
        return switch (kind) {
            case MALFORMED -> HttpStatus.BAD_REQUEST;
            case UNAUTHORIZED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case RATE_LIMITED -> HttpStatus.TOO_MANY_REQUESTS;
            case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }

    /** On an ACME URL, an RFC 8555 problem document with a fresh nonce (clients retry badNonce with it). */
    static MutableHttpResponse<?> of(HttpRequest<?> request, Throwable error, Supplier<String> acmeNonce) {
        if (request.getPath().startsWith("/ui")) {
            return page(of(request, error));
        }
        if (!request.getPath().startsWith("/acme/")) {
            return of(request, error);
        }
        MutableHttpResponse<ErrorBody> plain = of(request, error);
        PkiException e = Failures.classify(error);
        String detail = plain.getBody().map(ErrorBody::message).orElse(e.getMessage());
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", AcmeProblem.typeFor(e));
        problem.put("detail", detail);
        problem.put("status", plain.code());
        MutableHttpResponse<Map<String, Object>> r = HttpResponse.<Map<String, Object>>status(plain.status())
                .body(problem)
                .contentType("application/problem+json");
        plain.getHeaders().forEach((name, values) -> values.forEach(v -> r.header(name, v)));
        try {
            r.header("Replay-Nonce", acmeNonce.get());
        } catch (RuntimeException ignored) {
            // the store is down: no nonce to give; the client gets one from newNonce later
        }
        return r;
    }

    static MutableHttpResponse<ErrorBody> of(HttpRequest<?> request, Throwable error) {
        PkiException e = Failures.classify(error);
        String message = e.getMessage();
        switch (e.kind()) {
            case UNAVAILABLE ->
                LOG.warn("{} on {} {}: {}", e.code(), request.getMethod(), request.getPath(), rootMessage(error));
            case INTERNAL -> {
                if (Failures.INTERNAL_ERROR.equals(e.code())) {
                    String id = UUID.randomUUID().toString();
                    LOG.error("unexpected error {} on {} {}", id, request.getMethod(), request.getPath(), error);
                    message = "the server failed to handle the request (error id " + id + ")";
                } else {
                    LOG.error("{} on {} {}: {}", e.code(), request.getMethod(), request.getPath(), e.getMessage());
                }
            }
            default -> {}
        }
        MutableHttpResponse<ErrorBody> response =
                HttpResponse.<ErrorBody>status(status(e.kind())).body(new ErrorBody(e.code(), message));
        if (e.kind() == PkiException.Kind.UNAVAILABLE) {
            response.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
        return response;
    }

    /** The console's error page: the same status, code and message, for a person (escaped, no script). */
    private static MutableHttpResponse<String> page(MutableHttpResponse<ErrorBody> plain) {
        ErrorBody body = plain.getBody().orElseThrow();
        String html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + plain.code()
                + " · HSM CA console</title><link rel=\"stylesheet\" href=\"/ui/static/console.css\"></head><body>"
                + "<main id=\"main\"><h1>" + plain.code() + " " + escape(plain.reason()) + "</h1><p class=\"bad\">"
                + escape(body.message()) + "</p><p>Code: <code id=\"error-code\">" + escape(body.error())
                + "</code></p><p><a href=\"/ui/\">Back to the overview</a> · <a href=\"/ui/login\">Sign in</a></p>"
                + "</main></body></html>";
        MutableHttpResponse<String> r =
                HttpResponse.<String>status(plain.status()).body(html).contentType("text/html; charset=utf-8");
        plain.getHeaders().forEach((name, values) -> values.forEach(v -> r.header(name, v)));
        return r;
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == error ? String.valueOf(error) : error + " (cause: " + t + ")";
    }
}
