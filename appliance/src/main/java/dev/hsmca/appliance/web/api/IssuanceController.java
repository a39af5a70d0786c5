package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.domain.EnrollKeyGrant;
import dev.hsmca.appliance.domain.Grant;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.TokenGrant;
import dev.hsmca.appliance.domain.Validity;
import dev.hsmca.appliance.domain.WorkloadGrant;
import dev.hsmca.appliance.enrollment.EnrollmentKeys;
import dev.hsmca.appliance.enrollment.InstallTokens;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.IssuedCertificate;
import dev.hsmca.appliance.issuance.RegistrationAuthority;
import dev.hsmca.appliance.issuance.Renewals;
import dev.hsmca.appliance.oidc.WorkloadTokens;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Issuance (admin, install token, enrollment key or workload token) and renewal (the holder, over mTLS): the JSON body and the credential become an
 * {@link IssuanceCommand} for the registration authority; nothing is decided here.
 */
@Controller("/api/v1/certificates")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class IssuanceController {
    private final Authorizer authorizer;
    private final RegistrationAuthority ra;
    private final Renewals renewals;
    private final InstallTokens tokens;
    private final EnrollmentKeys enrollKeys;
    private final WorkloadTokens workloads;

    public IssuanceController(
            Authorizer authorizer,
            RegistrationAuthority ra,
            Renewals renewals,
            InstallTokens tokens,
            EnrollmentKeys enrollKeys,
            WorkloadTokens workloads) {
        this.authorizer = authorizer;
        this.ra = ra;
        this.renewals = renewals;
        this.tokens = tokens;
        this.enrollKeys = enrollKeys;
        this.workloads = workloads;
    }

    @Post
    public HttpResponse<IssuedCertificate> issue(HttpRequest<?> request, @Body IssueRequest body) {
        Grant grant = refusedCounted(() -> authorizer.issuer(request));
        if (grant instanceof EnrollKeyGrant key) {
            // a genuine key's every refusal (its counts, and the policy's: names, profile, lifetime, CSR) is
            // recorded against the key, so probing with a leaked key shows in the audit trail
            return enrollKeys.refusalsRecorded(key, () -> issueUnder(grant, body));
        }
        return issueUnder(grant, body);
    }

    private HttpResponse<IssuedCertificate> issueUnder(Grant grant, IssueRequest body) {
        Duration validity = refusedCounted(() -> Validity.requested(body.validityDays(), body.validity()));
        IssuanceCommand.Claim claim = claim(grant);
        String details = grant instanceof EnrollKeyGrant key
                ? "enroll_key=" + key.key().id()
                : grant instanceof WorkloadGrant workload
                        ? "workload=" + workload.issuer() + " jti=" + Names.printable(workload.jti())
                        : "";
        return HttpResponse.created(ra.issue(new IssuanceCommand(
                IssuanceCommand.Channel.REST,
                grant.entitlement(),
                body.csr(),
                body.profile(),
                body.service(),
                validity,
                // a workload's identity is what its token's subject makes, whatever subset the CSR names
                grant instanceof WorkloadGrant ? CertificateAsk.Identity.GRANTED : CertificateAsk.Identity.REQUESTED,
                null,
                claim,
                details)));
    }

    /** The credential's part of the write: a token consumed, a key's use counted, a workload token's use recorded. */
    private IssuanceCommand.Claim claim(Grant grant) {
        if (grant instanceof TokenGrant token) {
            return tokens.claim(token);
        }
        if (grant instanceof EnrollKeyGrant key) {
            return enrollKeys.claim(key);
        }
        if (grant instanceof WorkloadGrant workload) {
            return workloads.claim(workload);
        }
        return IssuanceCommand.Claim.NONE;
    }

    @Post("/renew")
    public HttpResponse<IssuedCertificate> renew(HttpRequest<?> request, @Body RenewRequest body) {
        HolderGrant holder = refusedCounted(() -> authorizer.holder(request));
        Duration validity = refusedCounted(() -> Validity.requested(body.validityDays(), body.validity()));
        return HttpResponse.created(
                renewals.renew(holder, body.csr(), validity, Boolean.TRUE.equals(body.revokeOld())));
    }

    private <T> T refusedCounted(Supplier<T> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            ra.refused(e);
            throw e;
        }
    }
}
