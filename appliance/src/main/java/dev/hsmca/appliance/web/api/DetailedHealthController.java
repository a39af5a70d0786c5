package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.health.HealthCheck;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.web.Authorizer;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.core.CaRole;
import dev.hsmca.appliance.store.MetricsRepository;
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
    public record Detail(String status, @JsonProperty("hsm_up") boolean hsmUp, @JsonProperty("store_up") boolean storeUp,
                         @Nullable @JsonProperty("crl_next_update") String crlNextUpdate,
                         @Nullable @JsonProperty("ocsp_presigned_oldest") String ocspPresignedOldest,
                         @JsonProperty("checked_at") String checkedAt) {
    }

    private final Authorizer authorizer;
    private final HealthCheck check;
    private final MetricsRepository store;
    private final CaHierarchy ca;
    private final Clock clock;

    public DetailedHealthController(Authorizer authorizer, HealthCheck check, MetricsRepository store, CaHierarchy ca,
                                    Clock clock) {
        this.authorizer = authorizer;
        this.check = check;
        this.store = store;
        this.ca = ca;
        this.clock = clock;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Detail> detail(HttpRequest<?> request) {
        authorizer.admin(request);
        HealthCheck.Result r = check.current();
        Instant now = clock.instant();
        String crl = null;
        String presigned = null;
        boolean fresh = true;
        try {
            Instant next = store.crlNextUpdate(ca.member(CaRole.ISSUING).id()).orElse(null);
            crl = next == null ? null : next.toString();
            fresh = next != null && next.isAfter(now);
            presigned = store.oldestPresigned(now).map(Instant::toString).orElse(null);
        } catch (RuntimeException e) {
            fresh = false;
        }
        boolean up = r.up() && fresh;
        Detail d = new Detail(up ? "UP" : "DOWN", r.hsmUp(), r.storeUp(), crl, presigned, r.checkedAt().toString());
        return up ? HttpResponse.ok(d) : HttpResponse.<Detail>status(HttpStatus.SERVICE_UNAVAILABLE).body(d);
    }
}
