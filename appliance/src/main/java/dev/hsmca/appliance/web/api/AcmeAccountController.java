package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.acme.AcmeAccountAdmin;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;

/** {@code POST /api/v1/acme/accounts/{id}/revoke} (admin): the account is refused from then on (RFC 8555 revoked). */
@Controller("/api/v1/acme/accounts")
@Produces(MediaType.APPLICATION_JSON)
public class AcmeAccountController {

    @Serdeable
    public record Account(
            String id,
            String status,
            @Nullable @JsonProperty("eab_kid") String eabKid,
            @JsonProperty("created_at") Instant createdAt) {
        static Account of(AcmeAccount a) {
            return new Account(a.id(), a.status().text(), a.eabKid(), a.createdAt());
        }
    }

    private final Authorizer authorizer;
    private final AcmeAccountAdmin admin;

    public AcmeAccountController(Authorizer authorizer, AcmeAccountAdmin admin) {
        this.authorizer = authorizer;
        this.admin = admin;
    }

    @Post("/{id}/revoke")
    public Account revoke(HttpRequest<?> request, @PathVariable String id) {
        AdminGrant grant = authorizer.admin(request);
        return Account.of(admin.revokeAccount(id, grant.actor()));
    }
}
