package dev.hsmca.appliance.web;

import dev.hsmca.appliance.web.acme.AcmeNonces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

/**
 * Every exception a controller lets through, domain refusals included: classified once
 * ({@link ErrorResponses}); an HSM or store failure is 503 with Retry-After, anything unplanned a 500 with an id.
 */
@Produces
@Singleton
public class UnexpectedExceptionHandler implements ExceptionHandler<RuntimeException, HttpResponse<?>> {
    private final Provider<AcmeNonces> nonces;

    public UnexpectedExceptionHandler(Provider<AcmeNonces> nonces) {
        this.nonces = nonces;
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, RuntimeException e) {
        return ErrorResponses.of(request, e, () -> nonces.get().next());
    }
}
