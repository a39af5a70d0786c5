package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.domain.CertificateView;
import dev.hsmca.appliance.domain.RenewalWindow;
import dev.hsmca.appliance.registry.LastSeen;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * {@code GET /api/v1/certificates/current}: the certificate the caller presents over mTLS, with the renewal window
 * the CA sets for it. Agents poll it; an {@code ETag} makes the poll a cheap 304 while nothing changed.
 */
@Controller("/api/v1/certificates/current")
public class CurrentCertificateController {

    @Serdeable
    public record Current(
            String serial,
            String status,
            @Nullable String service,
            String profile,
            @JsonProperty("not_before") String notBefore,
            @JsonProperty("not_after") String notAfter,
            @JsonProperty("days_until_expiry") long daysUntilExpiry,
            @JsonProperty("renew_after") String renewAfter,
            @JsonProperty("renew_before") String renewBefore,
            @JsonProperty("renew_now") boolean renewNow) {}

    private final Authorizer authorizer;
    private final LastSeen lastSeen;
    private final Clock clock;

    public CurrentCertificateController(Authorizer authorizer, LastSeen lastSeen, Clock clock) {
        this.authorizer = authorizer;
        this.lastSeen = lastSeen;
        this.clock = clock;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Current> current(HttpRequest<?> request) {
        CertificateRecord r = authorizer.presented(request);
        lastSeen.seen(r.service());
        Instant now = clock.instant();
        RenewalWindow window = RenewalWindow.of(r);
        Current c = new Current(
                r.serial(),
                CertificateView.of(r, now).status(),
                r.service(),
                r.profile(),
                r.notBefore().toString(),
                r.notAfter().toString(),
                Duration.between(now, r.notAfter()).toDays(),
                window.start().toString(),
                window.end().toString(),
                window.open(now));
        String etag = "\"" + etag(c) + "\"";
        if (etag.equals(request.getHeaders().get("If-None-Match"))) {
            return HttpResponse.<Current>status(HttpStatus.NOT_MODIFIED).header("ETag", etag);
        }
        return HttpResponse.ok(c).header("ETag", etag);
    }

    /** Changes when anything an agent acts on changes (days_until_expiry alone does not). */
    private static String etag(Current c) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((c.serial() + "|" + c.status() + "|" + c.renewAfter() + "|" + c.renewBefore() + "|"
                                    + c.renewNow())
                            .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
