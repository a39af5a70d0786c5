package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.health.Freshness;
import dev.hsmca.appliance.health.HealthCheck;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Clock;
import java.time.Instant;

/** {@code GET /api/v1/health} (admin): HSM, store, CRL and pre-signed OCSP freshness, with times. */
@Controller("/api/v1/health")
public class DetailedHealthController {

    @Serdeable
    public record Detail(
            String status,
            @JsonProperty("hsm_up") boolean hsmUp,
            @JsonProperty("store_up") boolean storeUp,
            @Nullable @JsonProperty("crl_next_update") String crlNextUpdate,
            @Nullable @JsonProperty("ocsp_presigned_oldest") String ocspPresignedOldest,
            @JsonProperty("checked_at") String checkedAt) {}

    private final Authorizer authorizer;
    private final HealthCheck check;
    private final Freshness freshness;
    private final Clock clock;

    public DetailedHealthController(Authorizer authorizer, HealthCheck check, Freshness freshness, Clock clock) {
        this.authorizer = authorizer;
        this.check = check;
        this.freshness = freshness;
        this.clock = clock;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Detail> detail(HttpRequest<?> request) {
        authorizer.admin(request);
        HealthCheck.Result r = check.current();
        Freshness.Report f = freshness.check(clock.instant());
        boolean up = r.up() && f.fresh();
        Detail d = new Detail(
                up ? "UP" : "DOWN",
                r.hsmUp(),
                r.storeUp(),
                text(f.crlNextUpdate()),
                text(f.ocspPresignedOldest()),
                r.checkedAt().toString());
        return up
                ? HttpResponse.ok(d)
                : HttpResponse.<Detail>status(HttpStatus.SERVICE_UNAVAILABLE).body(d);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
