package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.domain.CertificateView;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.web.Authorizer;
import dev.hsmca.core.RevocationReason;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Clock;

/** {@code POST /api/v1/certificates/{serial}/revoke}: administrators, or a holder for its own service. */
@Controller("/api/v1/certificates")
public class RevocationController {

    @Serdeable
    public record RevokeRequest(@Nullable String reason) {}

    private final Authorizer authorizer;
    private final Revocations revocations;
    private final Clock clock;

    public RevocationController(Authorizer authorizer, Revocations revocations, Clock clock) {
        this.authorizer = authorizer;
        this.revocations = revocations;
        this.clock = clock;
    }

    @Post("/{serial}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public CertificateView revoke(
            HttpRequest<?> request, @PathVariable String serial, @Nullable @Body RevokeRequest body) {
        var grant = authorizer.adminOrHolder(request);
        String normalized = CertificateController.normalizeSerial(serial);
        String text = body == null ? null : body.reason();
        RevocationReason reason = RevocationReason.parse(text)
                .orElseThrow(() -> PkiException.malformed(
                        "invalid_reason",
                        "unknown revocation reason '" + text + "', expected one of " + RevocationReason.texts()));
        return CertificateView.of(revocations.revoke(normalized, reason, grant), clock.instant());
    }
}
