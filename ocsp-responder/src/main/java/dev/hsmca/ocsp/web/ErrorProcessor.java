package dev.hsmca.ocsp.web;

import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/** Framework errors (wrong method, wrong content type, body too large) as short JSON, never a stack trace. */
@Singleton
public class ErrorProcessor implements ErrorResponseProcessor<ErrorBody> {
    @Override
    public MutableHttpResponse<ErrorBody> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        @SuppressWarnings("unchecked")
        MutableHttpResponse<ErrorBody> typed = (MutableHttpResponse<ErrorBody>) response;
        int status = response.code();
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
        String message = status >= 500 ? "the server failed to handle the request"
                : context.getErrors().stream().map(Error::getMessage).findFirst().orElse(response.reason());
        return typed.body(new ErrorBody(code, message)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
