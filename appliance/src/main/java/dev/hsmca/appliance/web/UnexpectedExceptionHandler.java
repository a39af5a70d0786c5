package dev.hsmca.appliance.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Anything unplanned: logged here with an id, and the client gets only the id, never a stack trace. */
@Produces
@Singleton
public class UnexpectedExceptionHandler implements ExceptionHandler<RuntimeException, HttpResponse<ErrorBody>> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionHandler.class);

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, RuntimeException e) {
        String id = java.util.UUID.randomUUID().toString();
        LOG.error("unexpected error {} on {} {}", id, request.getMethod(), request.getPath(), e);
        return HttpResponse.<ErrorBody>status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(new ErrorBody("internal_error", "the server failed to handle the request (error id " + id + ")"));
    }
}
