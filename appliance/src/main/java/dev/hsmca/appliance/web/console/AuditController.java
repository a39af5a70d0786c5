package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.audit.AuditAnchor;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.store.AuditEntry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit chain's tail, filtered by action and actor, with the HSM anchor's state and a verification. */
@io.swagger.v3.oas.annotations.Hidden // a page for people, not part of the API
@Controller("/ui/audit")
@Produces(MediaType.TEXT_HTML)
public class AuditController {
    static final int PAGE = 100;

    private final Console console;
    private final AuditLog audit;
    private final AuditAnchor anchor;

    public AuditController(Console console, AuditLog audit, AuditAnchor anchor) {
        this.console = console;
        this.audit = audit;
        this.anchor = anchor;
    }

    @Get
    public HttpResponse<?> tail(
            HttpRequest<?> request,
            @Nullable @QueryValue String action,
            @Nullable @QueryValue String actor,
            @Nullable @QueryValue Long before) {
        return page(request, console.read(request), action, actor, before, null);
    }

    /** Walks the whole chain (seconds at millions of entries) and checks the anchor. */
    @Post("/verify")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> verify(HttpRequest<?> request, @Body @Nullable String body) {
        Console.Signed s = console.submit(request, Form.parse(body));
        return page(request, s, null, null, null, audit.verify());
    }

    private HttpResponse<?> page(
            HttpRequest<?> request,
            Console.Signed s,
            @Nullable String action,
            @Nullable String actor,
            @Nullable Long before,
            @Nullable AuditLog.Verification verification) {
        String a = CertificatesController.clip(action, 64);
        String who = CertificatesController.clip(actor, 256);
        List<AuditEntry> entries = audit.tail(a, who, before == null ? 0 : before, PAGE + 1);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries.subList(0, Math.min(PAGE, entries.size())));
        m.put("next", entries.size() > PAGE ? entries.get(PAGE - 1).seq() : null);
        m.put("action", a == null ? "" : a);
        m.put("actorFilter", who == null ? "" : who);
        m.put("verification", verification);
        AnchorState state = AnchorState.of(anchor);
        m.put("anchorState", state.text());
        m.put("anchorOk", state.ok());
        return console.page(request, s, "audit", "audit", m);
    }
}
