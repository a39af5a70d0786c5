package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.audit.AuditGuard;
import dev.hsmca.appliance.issuance.IssuanceService;
import dev.hsmca.appliance.issuance.IssueRequest;
import dev.hsmca.appliance.issuance.IssuedCertificate;
import dev.hsmca.appliance.issuance.LintException;
import dev.hsmca.appliance.issuance.RenewRequest;

import dev.hsmca.appliance.web.Authorizer;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.domain.Failures;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;

/** Issuance (admin or install token) and renewal (the holder, over mTLS): parse → authorize → issue → render. */
@Controller("/api/v1/certificates")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class IssuanceController {
    private final Authorizer authorizer;
    private final IssuanceService issuance;
    private final PkiMetrics metrics;
    private final AuditGuard auditGuard;

    public IssuanceController(Authorizer authorizer, IssuanceService issuance, PkiMetrics metrics, AuditGuard auditGuard) {
        this.authorizer = authorizer;
        this.issuance = issuance;
        this.metrics = metrics;
        this.auditGuard = auditGuard;
    }

    @Post
    public HttpResponse<IssuedCertificate> issue(HttpRequest<?> request, @Body IssueRequest body) {
        return HttpResponse.created(measured(() -> {
            auditGuard.requireIntact();
            return issuance.issue(body, authorizer.issuer(request));
        }));
    }

    @Post("/renew")
    public HttpResponse<IssuedCertificate> renew(HttpRequest<?> request, @Body RenewRequest body) {
        return HttpResponse.created(measured(() -> {
            auditGuard.requireIntact();
            return issuance.renew(body, authorizer.holder(request));
        }));
    }

    private IssuedCertificate measured(java.util.function.Supplier<IssuedCertificate> work) {
        long start = System.nanoTime();
        try {
            IssuedCertificate issued = work.get();
            metrics.issued(issued.profile(), System.nanoTime() - start);
            return issued;
        } catch (RuntimeException e) {
            if (e instanceof LintException) {
                metrics.lintFailed();
            }
            metrics.issuanceFailed(Failures.classify(e).code());
            throw e;
        }
    }
}
