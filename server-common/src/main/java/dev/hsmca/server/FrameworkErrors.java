package dev.hsmca.server;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Errors the framework raises itself (unknown route, wrong method, wrong content type, body too large,
 * unparseable JSON) get the same JSON shape as the API's own errors.
 */
@Singleton
public class FrameworkErrors implements ErrorResponseProcessor<ErrorBody> {
    /** Micronaut Serialization's words for a field the target record does not have. */
    private static final Pattern UNKNOWN_PROPERTY = Pattern.compile("Unknown property \\[([A-Za-z0-9_.-]{1,64})\\]");

    @Override
    public MutableHttpResponse<ErrorBody> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        @SuppressWarnings("unchecked")
        MutableHttpResponse<ErrorBody> typed = (MutableHttpResponse<ErrorBody>) response;
        if (context.getRequest().getMethod() == HttpMethod.HEAD) {
            return typed;
        }
        int status = response.code();
        String code = switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            default ->
                status >= 500
                        ? "internal_error"
                        : response.reason().toLowerCase(Locale.ROOT).replace(' ', '_');
        };
        String message =
                context.getErrors().stream().map(Error::getMessage).findFirst().orElse(response.reason());
        Matcher unknown = UNKNOWN_PROPERTY.matcher(message == null ? "" : message);
        if (status == 400 && unknown.find()) {
            code = "unknown_field";
            message = "unknown field '" + unknown.group(1) + "' in the request body";
        }
        if (status >= 500) {
            message = "the server failed to handle the request";
        }
        return typed.body(new ErrorBody(code, message)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
