package dev.hsmca.appliance.web;

import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The database did not answer as expected: 503, so clients retry, and nothing half-done is returned. */
@Produces
@Singleton
public class StoreExceptionHandler implements ExceptionHandler<DataAccessException, HttpResponse<ErrorBody>> {
    private static final Logger LOG = LoggerFactory.getLogger(StoreExceptionHandler.class);

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, DataAccessException e) {
        LOG.error("store failure on {} {}: {}", request.getMethod(), request.getPath(), e.getMessage());
        return HttpResponse.<ErrorBody>status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(new ErrorBody("store_unavailable", "the certificate store is unavailable; try again later"));
    }
}
