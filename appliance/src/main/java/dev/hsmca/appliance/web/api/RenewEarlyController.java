package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.issuance.EarlyRenewals;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.serde.annotation.Serdeable;

/**
 * {@code POST /api/v1/certificates/renew-early} (admin): moves the renewal window of one certificate, of a
 * service's, or of every certificate of the issuing CA to now ({@link EarlyRenewals}).
 */
@Controller("/api/v1/certificates/renew-early")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class RenewEarlyController {

    @Serdeable
    public record Request(
            @Nullable String serial,
            @Nullable String service,
            @Nullable Boolean all) {}

    @Serdeable
    public record Result(
            @JsonProperty("certificates") int certificates,
            @JsonProperty("renew_after") String renewAfter) {}

    private final Authorizer authorizer;
    private final EarlyRenewals renewals;

    public RenewEarlyController(Authorizer authorizer, EarlyRenewals renewals) {
        this.authorizer = authorizer;
        this.renewals = renewals;
    }

    @Post
    public Result renewEarly(HttpRequest<?> request, @Body Request body) {
        AdminGrant admin = authorizer.admin(request);
        EarlyRenewals.Requested done = renewals.request(admin, selection(body));
        return new Result(done.certificates(), done.renewAfter().toString());
    }

    /** Exactly one of serial, service or all: true. */
    private static EarlyRenewals.Selection selection(Request body) {
        boolean all = Boolean.TRUE.equals(body.all());
        int given = (body.serial() != null ? 1 : 0) + (body.service() != null ? 1 : 0) + (all ? 1 : 0);
        if (given != 1) {
            throw PkiException.malformed("invalid_selection", "give exactly one of serial, service or all: true");
        }
        if (body.serial() != null) {
            return new EarlyRenewals.Selection.Serial(CertificateController.normalizeSerial(body.serial()));
        }
        return body.service() != null
                ? new EarlyRenewals.Selection.Service(ServiceId.require(body.service()))
                : new EarlyRenewals.Selection.All();
    }
}
