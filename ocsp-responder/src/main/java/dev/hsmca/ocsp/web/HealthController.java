package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.source.KnownIssuers;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;

/** {@code GET /health}: 200 when the store answers and knows an issuing CA, else 503. */
@Controller("/health")
public class HealthController {
    @Serdeable
    public record Status(String status) {
    }

    private final KnownIssuers issuers;

    public HealthController(KnownIssuers issuers) {
        this.issuers = issuers;
    }

    @Get
    public HttpResponse<Status> health() {
        try {
            boolean ok = issuers.all().stream().anyMatch(i -> "issuing".equals(i.row().role()));
            return ok ? HttpResponse.ok(new Status("UP")) : HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(new Status("DOWN"));
        } catch (RuntimeException e) {
            return HttpResponse.<Status>status(HttpStatus.SERVICE_UNAVAILABLE).body(new Status("DOWN"));
        }
    }
}
