package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.domain.CertificateView;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.issuance.Certificates;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Read access to issued certificates (administrators). */
@Controller("/api/v1/certificates")
@Produces(MediaType.APPLICATION_JSON)
public class CertificateController {
    private static final Pattern SERIAL = Pattern.compile("^[0-9a-fA-F]{1,40}$");

    private final Authorizer authorizer;
    private final Certificates certificates;
    private final Clock clock;

    public CertificateController(Authorizer authorizer, Certificates certificates, Clock clock) {
        this.authorizer = authorizer;
        this.certificates = certificates;
        this.clock = clock;
    }

    @Get("/{serial}")
    public CertificateView get(HttpRequest<?> request, @PathVariable String serial) {
        authorizer.admin(request);
        String normalized = normalizeSerial(serial);
        return certificates
                .find(normalized)
                .map(r -> CertificateView.of(r, clock.instant()))
                .orElseThrow(() ->
                        PkiException.notFound("certificate_not_found", "no certificate with serial " + normalized));
    }

    @Get
    public CertificatePage list(
            HttpRequest<?> request,
            @Nullable @QueryValue String status,
            @Nullable @QueryValue String service,
            @Nullable @QueryValue("enroll_key") String enrollKey,
            @Nullable @QueryValue("expiring_within_days") Integer expiringWithinDays,
            @Nullable @QueryValue Integer limit,
            @Nullable @QueryValue String cursor) {
        authorizer.admin(request);
        Instant now = clock.instant();
        CertificateQuery query =
                CertificateQuery.parse(status, service, enrollKey, expiringWithinDays, limit, cursor, now);
        List<CertificateRecord> rows = certificates.page(
                query.status(),
                query.service(),
                query.enrollKey(),
                query.now(),
                query.minNotAfter(),
                query.maxNotAfter(),
                query.afterNotAfter(),
                query.afterSerial(),
                query.limit());
        String next = rows.size() == query.limit() ? CertificateQuery.cursorAfter(rows.get(rows.size() - 1)) : null;
        return new CertificatePage(
                rows.stream().map(r -> CertificateView.of(r, now)).toList(), next);
    }

    public static String normalizeSerial(String serial) {
        if (serial == null || !SERIAL.matcher(serial).matches()) {
            throw PkiException.malformed("invalid_serial", "serial must be 1 to 40 hex digits");
        }
        return serial.toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
    }
}
