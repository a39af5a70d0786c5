package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.CertificateView;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.issuance.CertificateSearch;
import dev.hsmca.appliance.issuance.Certificates;
import dev.hsmca.appliance.issuance.EarlyRenewals;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.web.api.CertificateController;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.RevocationReason;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Certificates: search in expiry order, a certificate's page, its PEM, revoke and renew early. */
@io.swagger.v3.oas.annotations.Hidden // a page for people, not part of the API
@Controller("/ui/certificates")
@Produces(MediaType.TEXT_HTML)
public class CertificatesController {
    static final int PAGE = 50;
    private static final Pattern SERIAL = Pattern.compile("[0-9a-f]{1,40}");

    private final Console console;
    private final CertificateSearch search;
    private final Certificates certificates;
    private final Revocations revocations;
    private final EarlyRenewals renewals;
    private final AuditLog audit;
    private final OcspProbe ocsp;
    private final CaHierarchy ca;
    private final Clock clock;

    public CertificatesController(
            Console console,
            CertificateSearch search,
            Certificates certificates,
            Revocations revocations,
            EarlyRenewals renewals,
            AuditLog audit,
            OcspProbe ocsp,
            CaHierarchy ca,
            Clock clock) {
        this.console = console;
        this.search = search;
        this.certificates = certificates;
        this.revocations = revocations;
        this.renewals = renewals;
        this.audit = audit;
        this.ocsp = ocsp;
        this.ca = ca;
        this.clock = clock;
    }

    @Get
    public HttpResponse<?> list(
            HttpRequest<?> request,
            @Nullable @QueryValue String q,
            @Nullable @QueryValue String status,
            @Nullable @QueryValue String profile,
            @Nullable @QueryValue String service,
            @Nullable @QueryValue("expiring_days") Integer expiringDays,
            @Nullable @QueryValue String after) {
        Console.Signed s = console.read(request);
        Instant now = clock.instant();
        CertificateSearch.Shown shown = shown(status);
        if (expiringDays != null && (expiringDays < 1 || expiringDays > 3650)) {
            throw PkiException.malformed("invalid_expiring_days", "expiring_days is 1 to 3650");
        }
        List<CertificateSearch.Hit> hits = search.find(
                new CertificateSearch.Query(
                        clip(q, 200),
                        shown,
                        clip(profile, 64),
                        clip(service, 128),
                        expiringDays == null ? null : now.plus(Duration.ofDays(expiringDays)),
                        cursor(after),
                        PAGE + 1),
                now);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hits", hits.subList(0, Math.min(PAGE, hits.size())));
        m.put("next", hits.size() > PAGE ? cursorText(hits.get(PAGE - 1).cursor()) : null);
        m.put("q", q == null ? "" : q);
        m.put("status", shown.name().toLowerCase(Locale.ROOT));
        m.put("profile", profile == null ? "" : profile);
        m.put("service", service == null ? "" : service);
        m.put("expiringDays", expiringDays);
        m.put("paged", after != null);
        return console.page(request, s, "certificates", "certificates", m);
    }

    @Get("/{serial}")
    public HttpResponse<?> show(HttpRequest<?> request, @PathVariable String serial) {
        Console.Signed s = console.read(request);
        CertificateRecord r = find(serial);
        Instant now = clock.instant();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("c", CertificateView.of(r, now));
        m.put("record", r);
        m.put(
                "chain",
                ca.chain().stream()
                        .map(x -> x.getSubjectX500Principal().getName())
                        .toList());
        m.put("ocsp", ocsp.status(r.serial()));
        m.put("audit", audit.about("certificate:" + r.serial(), 50));
        m.put("renewals", search.renewalsOf(r.serial()));
        m.put(
                "reasons",
                Arrays.stream(RevocationReason.values())
                        .filter(x -> x != RevocationReason.REMOVE_FROM_CRL)
                        .map(RevocationReason::text)
                        .toList());
        m.put("renewed", request.getParameters().get("done"));
        return console.page(request, s, "certificate", "certificates", m);
    }

    @Get(value = "/{serial}/pem", produces = "application/x-pem-file")
    public HttpResponse<String> pem(HttpRequest<?> request, @PathVariable String serial) {
        console.read(request);
        CertificateRecord r = find(serial);
        return HttpResponse.ok(Pem.certificate(Pem.certificate(r.certificateDer())))
                .header("Content-Disposition", "attachment; filename=\"" + r.serial() + ".pem\"");
    }

    @Post("/{serial}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> revoke(HttpRequest<?> request, @PathVariable String serial, @Body @Nullable String body) {
        Form form = Form.parse(body);
        Console.Signed s = console.submit(request, form);
        if (!"yes".equals(form.get("confirm"))) {
            throw PkiException.malformed("confirmation_required", "tick the box that confirms the revocation");
        }
        RevocationReason reason = RevocationReason.parse(form.get("reason"))
                .filter(x -> x != RevocationReason.REMOVE_FROM_CRL
                        || !form.get("reason").isEmpty())
                .orElseThrow(() -> PkiException.malformed("invalid_reason", "unknown revocation reason"));
        CertificateRecord r = revocations.revoke(find(serial).serial(), reason, s.admin());
        return console.seeOther(s, "/ui/certificates/" + r.serial() + "?done=revoked");
    }

    @Post("/{serial}/renew-early")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> renewEarly(
            HttpRequest<?> request, @PathVariable String serial, @Body @Nullable String body) {
        Console.Signed s = console.submit(request, Form.parse(body));
        String normalized = find(serial).serial();
        renewals.request(s.admin(), new EarlyRenewals.Selection.Serial(normalized));
        return console.seeOther(s, "/ui/certificates/" + normalized + "?done=renew-early");
    }

    private static boolean onHold(CertificateRecord r) {
        return RevocationReason.CERTIFICATE_HOLD.text().equals(r.revocationReason());
    }

    private CertificateRecord find(String serial) {
        String hex = CertificateController.normalizeSerial(serial.replace(":", ""));
        return certificates
                .find(hex)
                .orElseThrow(() -> PkiException.notFound("certificate_not_found", "no certificate with serial " + hex));
    }

    static CertificateSearch.Shown shown(@Nullable String status) {
        if (status == null || status.isBlank()) {
            return CertificateSearch.Shown.ANY;
        }
        try {
            return CertificateSearch.Shown.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PkiException.malformed("invalid_status", "status is any, valid, revoked or expired");
        }
    }

    @Nullable
    static String clip(@Nullable String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > max) {
            throw PkiException.malformed("query_too_long", "a search field has at most " + max + " characters");
        }
        return value;
    }

    /** A page's cursor: the last hit's notAfter (epoch milliseconds) and serial. */
    static String cursorText(CertificateSearch.Cursor c) {
        return c.notAfter().toEpochMilli() + "-" + c.serial();
    }

    @Nullable
    static CertificateSearch.Cursor cursor(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String[] parts = text.split("-", 2);
        try {
            if (parts.length == 2 && SERIAL.matcher(parts[1]).matches()) {
                return new CertificateSearch.Cursor(Instant.ofEpochMilli(Long.parseLong(parts[0])), parts[1]);
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw PkiException.malformed("invalid_cursor", "the page cursor is not one this console made");
    }
}
