package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.acme.AcmeAccounts;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.serde.annotation.Serdeable;

import java.util.List;

/** {@code POST /api/v1/acme/eab} (admin): an External Account Binding key for a service and its names. */
@Controller("/api/v1/acme/eab")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AcmeEabController {

    @Serdeable
    public record Request(@Nullable String service, @Nullable String profile,
                         @Nullable @JsonProperty("allow_dns") List<String> allowDns) {
    }

    @Serdeable
    public record Created(String kid, @JsonProperty("hmac_key") String hmacKey, String service, String profile,
                          @JsonProperty("allowed_dns") List<String> allowedDns) {
    }

    private final Authorizer authorizer;
    private final AcmeAccounts accounts;

    public AcmeEabController(Authorizer authorizer, AcmeAccounts accounts) {
        this.authorizer = authorizer;
        this.accounts = accounts;
    }

    @Post
    public HttpResponse<Created> create(HttpRequest<?> request, @Body Request body) {
        AdminGrant admin = authorizer.admin(request);
        AcmeAccounts.NewEab e = accounts.createEab(body.service(), body.profile(), body.allowDns(), admin.actor());
        return HttpResponse.created(new Created(e.kid(), e.hmacKey(), e.service(), e.profile(), e.allowedDns()));
    }
}
