package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.auth.Authorizer;
import dev.hsmca.appliance.auth.Grant;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;

/** {@code POST /api/v1/certificates}: parse → authorize → issue → render. */
@Controller("/api/v1/certificates")
public class IssuanceController {
    private final Authorizer authorizer;
    private final IssuanceService issuance;

    public IssuanceController(Authorizer authorizer, IssuanceService issuance) {
        this.authorizer = authorizer;
        this.issuance = issuance;
    }

    @Post
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public HttpResponse<IssuedCertificate> issue(HttpRequest<?> request, @Body IssueRequest body) {
        Grant grant = authorizer.authorize(request);
        return HttpResponse.created(issuance.issue(body, grant));
    }
}
