package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.acme.AcmeAccountAdmin;
import dev.hsmca.appliance.acme.AcmeAccounts;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.enrollment.CreateEnrollKeyRequest;
import dev.hsmca.appliance.enrollment.CreateTokenRequest;
import dev.hsmca.appliance.enrollment.EnrollKeyView;
import dev.hsmca.appliance.enrollment.EnrollmentKeys;
import dev.hsmca.appliance.enrollment.InstallTokens;
import dev.hsmca.appliance.enrollment.TokenView;
import dev.hsmca.appliance.issuance.CertificateSearch;
import dev.hsmca.appliance.registry.Registry;
import dev.hsmca.appliance.store.AcmeEabKey;
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
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fleet: services and their certificates, and what enrolls them (install tokens, ACME bindings, keys). */
@io.swagger.v3.oas.annotations.Hidden // a page for people, not part of the API
@Controller("/ui")
@Produces(MediaType.TEXT_HTML)
public class FleetController {
    static final int LISTED = 200;

    /** An ACME binding key as listed: never its HMAC key, which only the answer that made it carries. */
    public record EabRow(
            String kid,
            String service,
            String profile,
            String allowedDns,
            Instant createdAt,
            String createdBy,
            @Nullable String accountId,
            @Nullable Instant revokedAt) {
        static EabRow of(AcmeEabKey k) {
            return new EabRow(
                    k.kid(),
                    k.service(),
                    k.profile(),
                    k.allowedDns(),
                    k.createdAt(),
                    k.createdBy(),
                    k.accountId(),
                    k.revokedAt());
        }
    }

    private final Console console;
    private final Registry registry;
    private final CertificateSearch search;
    private final InstallTokens tokens;
    private final EnrollmentKeys keys;
    private final AcmeAccounts acme;
    private final AcmeAccountAdmin acmeAdmin;
    private final Clock clock;

    public FleetController(
            Console console,
            Registry registry,
            CertificateSearch search,
            InstallTokens tokens,
            EnrollmentKeys keys,
            AcmeAccounts acme,
            AcmeAccountAdmin acmeAdmin,
            Clock clock) {
        this.console = console;
        this.registry = registry;
        this.search = search;
        this.tokens = tokens;
        this.keys = keys;
        this.acme = acme;
        this.acmeAdmin = acmeAdmin;
        this.clock = clock;
    }

    @Get("/services")
    public HttpResponse<?> services(HttpRequest<?> request) {
        Console.Signed s = console.read(request);
        return console.page(request, s, "services", "services", Map.of("services", registry.list()));
    }

    @Get("/services/{service}")
    public HttpResponse<?> service(HttpRequest<?> request, @PathVariable String service) {
        Console.Signed s = console.read(request);
        Instant now = clock.instant();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", registry.get(service, s.admin()));
        m.put(
                "certificates",
                search.find(
                        new CertificateSearch.Query(
                                null, CertificateSearch.Shown.ANY, null, service, null, null, LISTED),
                        now));
        m.put(
                "tokens",
                tokens.list(service, null, LISTED).stream()
                        .map(t -> TokenView.of(t, null, now))
                        .toList());
        m.put(
                "keys",
                keys.list(service, null, LISTED).stream()
                        .map(k -> EnrollKeyView.of(k, null, now))
                        .toList());
        return console.page(request, s, "service", "services", m);
    }

    @Get("/enrollment")
    public HttpResponse<?> enrollment(HttpRequest<?> request) {
        return enrollmentPage(request, console.read(request), Map.of());
    }

    /** A new install token: its secret is on this answer only (not stored, never shown again). */
    @Post("/enrollment/tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> createToken(HttpRequest<?> request, @Body @Nullable String body) {
        Form form = Form.parse(body);
        Console.Signed s = console.submit(request, form);
        CreateTokenRequest create = new CreateTokenRequest(
                form.get("service"),
                form.list("allowed_dns"),
                form.list("allowed_ips"),
                form.get("profile").isEmpty() ? null : form.get("profile"),
                days(form.get("ttl_days")) == null ? null : days(form.get("ttl_days")) * 86_400L,
                days(form.get("max_validity_days")),
                form.list("allowed_cn"),
                List.of(),
                null,
                null,
                null,
                form.get("label").isEmpty() ? null : form.get("label"));
        InstallTokens.Created created = tokens.create(create, Operator.of(s.admin()));
        return enrollmentPage(
                        request,
                        s,
                        Map.of("newToken", TokenView.of(created.record(), created.token(), clock.instant())))
                .header("Cache-Control", "no-store");
    }

    @Post("/enrollment/tokens/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> revokeToken(HttpRequest<?> request, @PathVariable String id, @Body @Nullable String body) {
        Console.Signed s = console.submit(request, Form.parse(body));
        tokens.revoke(id, s.admin());
        return console.seeOther(s, "/ui/enrollment");
    }

    /** A new enrollment key: its secret is on this answer only. */
    @Post("/enrollment/enroll-keys")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> createKey(HttpRequest<?> request, @Body @Nullable String body) {
        Form form = Form.parse(body);
        Console.Signed s = console.submit(request, form);
        EnrollmentKeys.Created created = keys.create(
                new CreateEnrollKeyRequest(
                        form.get("service"),
                        form.list("allowed_dns"),
                        form.list("allowed_ips"),
                        form.get("profile").isEmpty() ? null : form.get("profile"),
                        count(form.get("max_uses")),
                        count(form.get("per_hour")),
                        form.get("expires").isEmpty() ? null : form.get("expires"),
                        form.get("max_validity").isEmpty() ? null : form.get("max_validity"),
                        form.get("label").isEmpty() ? null : form.get("label")),
                Operator.of(s.admin()));
        return enrollmentPage(
                        request,
                        s,
                        Map.of("newKey", EnrollKeyView.of(created.record(), created.key(), clock.instant())))
                .header("Cache-Control", "no-store");
    }

    @Post("/enrollment/enroll-keys/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> revokeKey(HttpRequest<?> request, @PathVariable String id, @Body @Nullable String body) {
        Console.Signed s = console.submit(request, Form.parse(body));
        keys.revoke(id, s.admin());
        return console.seeOther(s, "/ui/enrollment");
    }

    /** A new ACME binding key: its HMAC key is on this answer only. */
    @Post("/enrollment/eab")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> createEab(HttpRequest<?> request, @Body @Nullable String body) {
        Form form = Form.parse(body);
        Console.Signed s = console.submit(request, form);
        AcmeAccounts.NewEab eab = acme.createEab(
                form.get("service"),
                form.get("profile").isEmpty() ? null : form.get("profile"),
                form.list("allowed_dns"),
                s.admin().actor());
        return enrollmentPage(request, s, Map.of("newEab", eab)).header("Cache-Control", "no-store");
    }

    @Post("/enrollment/eab/{kid}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> revokeEab(HttpRequest<?> request, @PathVariable String kid, @Body @Nullable String body) {
        Console.Signed s = console.submit(request, Form.parse(body));
        acmeAdmin.revokeEab(kid, s.admin().actor());
        return console.seeOther(s, "/ui/enrollment");
    }

    @Post("/enrollment/acme-accounts/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> revokeAccount(HttpRequest<?> request, @PathVariable String id, @Body @Nullable String body) {
        Console.Signed s = console.submit(request, Form.parse(body));
        acmeAdmin.revokeAccount(id, s.admin().actor());
        return console.seeOther(s, "/ui/enrollment");
    }

    private io.micronaut.http.MutableHttpResponse<?> enrollmentPage(
            HttpRequest<?> request, Console.Signed s, Map<String, Object> extra) {
        Instant now = clock.instant();
        Map<String, Object> m = new LinkedHashMap<>(extra);
        m.put(
                "tokens",
                tokens.list(null, null, LISTED).stream()
                        .map(t -> TokenView.of(t, null, now))
                        .toList());
        m.put(
                "keys",
                keys.list(null, null, LISTED).stream()
                        .map(k -> EnrollKeyView.of(k, null, now))
                        .toList());
        m.put("eabs", acmeAdmin.eabKeys(LISTED).stream().map(EabRow::of).toList());
        m.put("accounts", acmeAdmin.accounts(LISTED));
        return console.page(request, s, "enrollment", "enrollment", m);
    }

    @Nullable
    private static Integer count(String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw PkiException.malformed("invalid_number", "'" + value + "' is not a whole number");
        }
    }

    @Nullable
    private static Integer days(String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            int d = Integer.parseInt(value);
            if (d >= 1 && d <= 3650) {
                return d;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw PkiException.malformed("invalid_days", "a number of days is 1 to 3650");
    }
}
