package dev.hsmca.appliance.web;

import dev.hsmca.server.ErrorBody;

import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.PkiException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/** Domain errors become HTTP here, once: the kind decides the status; never a stack trace to the client. */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    /** Seconds a client should wait before retrying after a 503. */
    static final int RETRY_AFTER_SECONDS = 5;

    private ErrorResponses() {
    }

    public static HttpStatus status(PkiException.Kind kind) {
        return switch (kind) {
            case MALFORMED -> HttpStatus.BAD_REQUEST;
            case UNAUTHORIZED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }

    static MutableHttpResponse<ErrorBody> of(HttpRequest<?> request, Throwable error) {
        PkiException e = Failures.classify(error);
        String message = e.getMessage();
        switch (e.kind()) {
            case UNAVAILABLE -> LOG.warn("{} on {} {}: {}", e.code(), request.getMethod(), request.getPath(),
                    rootMessage(error));
            case INTERNAL -> {
                if (Failures.INTERNAL_ERROR.equals(e.code())) {
                    String id = UUID.randomUUID().toString();
                    LOG.error("unexpected error {} on {} {}", id, request.getMethod(), request.getPath(), error);
                    message = "the server failed to handle the request (error id " + id + ")";
                } else {
                    LOG.error("{} on {} {}: {}", e.code(), request.getMethod(), request.getPath(), e.getMessage());
                }
            }
            default -> {
            }
        }
        MutableHttpResponse<ErrorBody> response = HttpResponse.<ErrorBody>status(status(e.kind()))
                .body(new ErrorBody(e.code(), message));
        if (e.kind() == PkiException.Kind.UNAVAILABLE) {
            response.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
        return response;
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == error ? String.valueOf(error) : error + " (cause: " + t + ")";
    }
}
