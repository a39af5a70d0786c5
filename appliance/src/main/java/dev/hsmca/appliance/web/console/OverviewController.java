package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.audit.AuditAnchor;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.health.Freshness;
import dev.hsmca.appliance.health.HealthCheck;
import dev.hsmca.appliance.issuance.CertificateSearch;
import dev.hsmca.appliance.registry.Registry;
import dev.hsmca.core.CaRole;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The console's first page: the CA, its health and freshness, the last day, and what needs attention. */
@io.swagger.v3.oas.annotations.Hidden // a page for people, not part of the API
@Controller("/ui")
@Produces(MediaType.TEXT_HTML)
public class OverviewController {
    static final int HOURS = 24;

    public record CaRow(String role, String subject, Instant notAfter, long daysLeft, boolean offline) {}

    public record Bar(int hour, long issued, long refused, int issuedHeight, int refusedHeight) {}

    private final Console console;
    private final CaHierarchy ca;
    private final HealthCheck health;
    private final Freshness freshness;
    private final CertificateSearch certificates;
    private final Registry registry;
    private final AuditLog audit;
    private final AuditAnchor anchor;
    private final Clock clock;
    private final Duration quietAfter;

    /** {@code pki.console.quiet-after}: a service neither seen, renewed nor issued to for this long has gone quiet. */
    public OverviewController(
            Console console,
            CaHierarchy ca,
            HealthCheck health,
            Freshness freshness,
            CertificateSearch certificates,
            Registry registry,
            AuditLog audit,
            AuditAnchor anchor,
            Clock clock,
            @Value("${pki.console.quiet-after:24h}") Duration quietAfter) {
        this.console = console;
        this.ca = ca;
        this.health = health;
        this.freshness = freshness;
        this.certificates = certificates;
        this.registry = registry;
        this.audit = audit;
        this.anchor = anchor;
        this.clock = clock;
        this.quietAfter = quietAfter;
    }

    @Get("/")
    public HttpResponse<?> overview(HttpRequest<?> request) {
        Console.Signed s = console.read(request);
        Instant now = clock.instant();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cas", hierarchy(now));
        HealthCheck.Result h = health.current();
        m.put("hsmUp", h.hsmUp());
        m.put("storeUp", h.storeUp());
        Freshness.Report f = freshness.check(now);
        m.put("crlNextUpdate", f.crlNextUpdate());
        m.put("ocspOldest", f.ocspPresignedOldest());
        m.put("fresh", f.fresh());
        Map<String, Long> counts = new LinkedHashMap<>();
        certificates.counts(now).forEach((k, v) -> counts.put(k.name().toLowerCase(Locale.ROOT), v));
        m.put("counts", counts);
        m.put("expiring7", certificates.expiring(now, Duration.ofDays(7)));
        m.put("expiring30", certificates.expiring(now, Duration.ofDays(30)));
        m.put("quiet", registry.quiet(quietAfter, QUIET_LISTED));
        m.put("bars", bars(certificates.issuedPerHour(now, HOURS), audit.deniedPerHour(now, HOURS)));
        AnchorState anchored = AnchorState.of(anchor);
        m.put("anchorProblem", anchored.ok() ? null : anchored.text());
        return console.page(request, s, "overview", "overview", m);
    }

    private List<CaRow> hierarchy(Instant now) {
        List<CaRow> rows = new ArrayList<>();
        for (CaRole role : CaRole.values()) {
            if (ca.has(role)) {
                CaHierarchy.Member member = ca.member(role);
                X509Certificate c = member.certificate();
                Instant notAfter = c.getNotAfter().toInstant();
                rows.add(new CaRow(
                        role.alias(),
                        c.getSubjectX500Principal().getName(),
                        notAfter,
                        Duration.between(now, notAfter).toDays(),
                        member.offline()));
            }
        }
        return rows;
    }

    /** At most this many quiet services are listed on the overview. */
    static final int QUIET_LISTED = 50;

    /** The chart's bars, scaled to 60 px at the busiest hour. */
    static List<Bar> bars(long[] issued, long[] refused) {
        long max = 1;
        for (int i = 0; i < issued.length; i++) {
            max = Math.max(max, Math.max(issued[i], refused[i]));
        }
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < issued.length; i++) {
            bars.add(new Bar(i, issued[i], refused[i], (int) Math.ceil(60.0 * issued[i] / max), (int)
                    Math.ceil(60.0 * refused[i] / max)));
        }
        return bars;
    }
}
