package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.store.CertificateRepository;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.web.Authorizer;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.ServiceId;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code POST /api/v1/certificates/renew-early} (admin): moves the renewal window of one certificate, of a
 * service's, or of every certificate of the issuing CA to now (after a key compromise, a CA change). Agents see it
 * at their next poll and renew; ACME clients through renewal information.
 */
@Controller("/api/v1/certificates/renew-early")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class RenewEarlyController {

    @Serdeable
    public record Request(@Nullable String serial, @Nullable String service, @Nullable Boolean all) {
    }

    @Serdeable
    public record Result(@JsonProperty("certificates") int certificates, @JsonProperty("renew_after") String renewAfter) {
    }

    private final Authorizer authorizer;
    private final CertificateRepository certificates;
    private final CaHierarchy ca;
    private final AuditLog audit;
    private final Clock clock;

    public RenewEarlyController(Authorizer authorizer, CertificateRepository certificates, CaHierarchy ca, AuditLog audit,
                                Clock clock) {
        this.authorizer = authorizer;
        this.certificates = certificates;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
    }

    @Post
    @Transactional
    public Result renewEarly(HttpRequest<?> request, @Body Request body) {
        AdminGrant admin = authorizer.admin(request);
        boolean all = Boolean.TRUE.equals(body.all());
        int given = (body.serial() != null ? 1 : 0) + (body.service() != null ? 1 : 0) + (all ? 1 : 0);
        if (given != 1) {
            throw PkiException.malformed("invalid_selection", "give exactly one of serial, service or all: true");
        }
        String serial = body.serial() == null ? "" : CertificateController.normalizeSerial(body.serial());
        String service = body.service() == null ? "" : ServiceId.require(body.service());
        String issuer = all ? ca.issuing().id() : "";
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        int n = certificates.requestRenewal(serial, service, issuer, now);
        if (n == 0 && !serial.isEmpty()) {
            throw PkiException.notFound("certificate_not_found", "no valid certificate with serial " + serial);
        }
        String what = all ? "all" : !serial.isEmpty() ? "serial=" + serial : "service=" + service;
        audit.record(admin.actor(), "certificate.renew-early", what, AuditLog.OK, "certificates=" + n);
        return new Result(n, now.toString());
    }
}
