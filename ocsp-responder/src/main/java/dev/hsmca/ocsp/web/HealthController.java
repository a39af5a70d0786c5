package dev.hsmca.ocsp.web;

import dev.hsmca.core.CaRole;
import dev.hsmca.ocsp.store.Store;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;

/** {@code GET /health}: 200 when the warm-up is over and the store answers and knows an issuing CA, else 503. */
@ExecuteOn(TaskExecutors.BLOCKING) // reads the store: not on an event loop, where OCSP answers would wait behind it
@Controller("/health")
public class HealthController {
    @Serdeable
    public record Status(String status) {}

    private final Store.Issuers issuers;
    private final Warmup warmup;

    public HealthController(Store.Issuers issuers, Warmup warmup) {
        this.issuers = issuers;
        this.warmup = warmup;
    }

    @Get
    public HttpResponse<Status> health() {
        if (!warmup.done()) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(new Status("WARMING"));
        }
        try {
            boolean ok = issuers.active(CaRole.ISSUING.alias()).isPresent(); // a real query each time, no cache
            return ok
                    ? HttpResponse.ok(new Status("UP"))
                    : HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(new Status("DOWN"));
        } catch (RuntimeException e) {
            return HttpResponse.<Status>status(HttpStatus.SERVICE_UNAVAILABLE).body(new Status("DOWN"));
        }
    }
}
