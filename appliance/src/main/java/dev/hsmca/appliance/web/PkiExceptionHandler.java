package dev.hsmca.appliance.web;

import dev.hsmca.server.ErrorBody;

import dev.hsmca.appliance.domain.PkiException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Domain refusals: the same mapping as everything else, bound to the exact type so no framework handler wins. */
@Produces
@Singleton
public class PkiExceptionHandler implements ExceptionHandler<PkiException, HttpResponse<ErrorBody>> {
    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, PkiException e) {
        return ErrorResponses.of(request, e);
    }
}
