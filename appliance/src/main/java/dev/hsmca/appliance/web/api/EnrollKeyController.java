package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.enrollment.CreateEnrollKeyRequest;
import dev.hsmca.appliance.enrollment.EnrollKeyView;
import dev.hsmca.appliance.enrollment.EnrollmentKeys;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Enrollment keys: create (the key shown once), list and revoke. Administrators only. */
@Controller("/api/v1/enroll-keys")
@Produces(MediaType.APPLICATION_JSON)
public class EnrollKeyController {
    private final Authorizer authorizer;
    private final EnrollmentKeys keys;
    private final Clock clock;

    public EnrollKeyController(Authorizer authorizer, EnrollmentKeys keys, Clock clock) {
        this.authorizer = authorizer;
        this.keys = keys;
        this.clock = clock;
    }

    @Post
    @Consumes(MediaType.APPLICATION_JSON)
    public HttpResponse<EnrollKeyView> create(HttpRequest<?> request, @Body CreateEnrollKeyRequest body) {
        EnrollmentKeys.Created created = keys.create(body, authorizer.operator(request));
        return HttpResponse.created(EnrollKeyView.of(created.record(), created.key(), clock.instant()));
    }

    @Get
    public Map<String, List<EnrollKeyView>> list(
            HttpRequest<?> request, @Nullable @QueryValue String service, @Nullable @QueryValue String state) {
        authorizer.admin(request);
        Instant now = clock.instant();
        return Map.of(
                "enroll_keys",
                keys.list(service, state, 1000).stream()
                        .map(k -> EnrollKeyView.of(k, null, now))
                        .toList());
    }

    @Post("/{id}/revoke")
    public EnrollKeyView revoke(HttpRequest<?> request, @PathVariable String id) {
        AdminGrant admin = authorizer.admin(request);
        return EnrollKeyView.of(keys.revoke(id, admin), null, clock.instant());
    }

    /** The same as {@code POST /{id}/revoke}, as install tokens are revoked. */
    @Delete("/{id}")
    public EnrollKeyView delete(HttpRequest<?> request, @PathVariable String id) {
        return revoke(request, id);
    }
}
