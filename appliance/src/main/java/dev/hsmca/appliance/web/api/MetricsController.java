package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.metrics.StoreGauges;
import dev.hsmca.appliance.web.Authorizer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/**
 * {@code GET /prometheus}: the exposition, for the admin or a {@code monitoring} client certificate (it names
 * services and serials, so it is not public).
 */
@Controller("/prometheus")
public class MetricsController {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final StoreGauges gauges;
    private final Authorizer authorizer;

    public MetricsController(PrometheusMeterRegistry registry, StoreGauges gauges, Authorizer authorizer) {
        this.registry = registry;
        this.gauges = gauges;
        this.authorizer = authorizer;
    }

    @Get(produces = CONTENT_TYPE)
    public HttpResponse<String> scrape(HttpRequest<?> request) {
        authorizer.monitor(request);
        gauges.refresh();
        return HttpResponse.ok(registry.scrape()).contentType(CONTENT_TYPE);
    }
}
