package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.acme.AcmeAccountAdmin;
import dev.hsmca.appliance.acme.AcmeAccounts;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.web.Authorizer;
import dev.hsmca.appliance.x509.NameLists;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/**
 * {@code POST /api/v1/acme/eab} (admin): an External Account Binding key for a service and its names;
 * {@code POST /api/v1/acme/eab/{kid}/revoke}: no account may bind it any more, and the account it bound is revoked.
 */
@Controller("/api/v1/acme/eab")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AcmeEabController {

    @Serdeable
    public record Request(
            @Nullable String service,
            @Nullable String profile,
            @Nullable @JsonProperty("allow_dns") List<String> allowDns) {}

    @Serdeable
    public record Created(
            String kid,
            @JsonProperty("hmac_key") String hmacKey,
            String service,
            String profile,
            @JsonProperty("allowed_dns") List<String> allowedDns) {}

    /** A key after its revocation (never its HMAC key), with the account it bound. */
    @Serdeable
    public record Revoked(
            String kid,
            String service,
            String profile,
            @JsonProperty("allowed_dns") List<String> allowedDns,
            @Nullable @JsonProperty("account_id") String accountId,
            @Nullable @JsonProperty("account_status") String accountStatus,
            @JsonProperty("revoked_at") Instant revokedAt) {}

    private final Authorizer authorizer;
    private final AcmeAccounts accounts;
    private final AcmeAccountAdmin admin;

    public AcmeEabController(Authorizer authorizer, AcmeAccounts accounts, AcmeAccountAdmin admin) {
        this.authorizer = authorizer;
        this.accounts = accounts;
        this.admin = admin;
    }

    @Post
    public HttpResponse<Created> create(HttpRequest<?> request, @Body Request body) {
        AdminGrant admin = authorizer.admin(request);
        AcmeAccounts.NewEab e = accounts.createEab(body.service(), body.profile(), body.allowDns(), admin.actor());
        return HttpResponse.created(new Created(e.kid(), e.hmacKey(), e.service(), e.profile(), e.allowedDns()));
    }

    @Post("/{kid}/revoke")
    public Revoked revoke(HttpRequest<?> request, @PathVariable String kid) {
        AdminGrant grant = authorizer.admin(request);
        AcmeAccountAdmin.RevokedEab r = admin.revokeEab(kid, grant.actor());
        return new Revoked(
                r.key().kid(),
                r.key().service(),
                r.key().profile(),
                NameLists.split(r.key().allowedDns()),
                r.key().accountId(),
                r.account().map(a -> a.status().text()).orElse(null),
                r.key().revokedAt());
    }
}
