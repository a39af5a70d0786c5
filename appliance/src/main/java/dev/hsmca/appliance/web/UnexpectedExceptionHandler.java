package dev.hsmca.appliance.web;

import dev.hsmca.server.ErrorBody;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * Every exception a controller lets through, domain refusals included: classified once
 * ({@link ErrorResponses}); an HSM or store failure is 503 with Retry-After, anything unplanned a 500 with an id.
 */
@Produces
@Singleton
public class UnexpectedExceptionHandler implements ExceptionHandler<RuntimeException, HttpResponse<ErrorBody>> {
    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, RuntimeException e) {
        return ErrorResponses.of(request, e);
    }
}
