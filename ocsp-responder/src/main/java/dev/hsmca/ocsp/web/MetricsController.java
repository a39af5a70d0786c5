package dev.hsmca.ocsp.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** {@code GET /prometheus}: the responder's metrics (no serials or service names in them). */
@Controller("/prometheus")
public class MetricsController {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsController(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Get(produces = CONTENT_TYPE)
    public HttpResponse<String> scrape() {
        return HttpResponse.ok(registry.scrape()).contentType(CONTENT_TYPE);
    }
}
