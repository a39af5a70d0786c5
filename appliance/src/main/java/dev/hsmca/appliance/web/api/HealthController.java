package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.health.HealthCheck;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;

/** {@code GET /health}: public and minimal, 200 when the HSM signs and the store answers, else 503. */
@Controller("/health")
public class HealthController {

    @Serdeable
    public record Status(String status) {}

    private final HealthCheck check;

    public HealthController(HealthCheck check) {
        this.check = check;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Status> health() {
        return check.current().up()
                ? HttpResponse.ok(new Status("UP"))
                : HttpResponse.<Status>status(HttpStatus.SERVICE_UNAVAILABLE).body(new Status("DOWN"));
    }
}
