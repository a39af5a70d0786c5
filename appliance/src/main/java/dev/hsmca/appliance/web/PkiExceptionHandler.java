package dev.hsmca.appliance.web;

import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.web.acme.AcmeNonces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

/** Domain refusals: the same mapping as everything else, bound to the exact type so no framework handler wins. */
@Produces
@Singleton
public class PkiExceptionHandler implements ExceptionHandler<PkiException, HttpResponse<?>> {
    private final Provider<AcmeNonces> nonces;

    public PkiExceptionHandler(Provider<AcmeNonces> nonces) {
        this.nonces = nonces;
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, PkiException e) {
        return ErrorResponses.of(request, e, () -> nonces.get().next());
    }
}
