package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.views.thymeleaf.ThymeleafViewsRenderer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The console's edge, shared by its pages: every request is the administrator's (the API's own check, so nothing
 * the API forbids is possible here), every page carries the session's form token, every form is checked against it.
 */
@Singleton
public class Console {
    /** The administrator and the browser's session, for one request. */
    public record Signed(AdminGrant admin, ConsoleSessions.Session session) {}

    private final Authorizer authorizer;
    private final ConsoleSessions sessions;
    private final ThymeleafViewsRenderer<Map<String, Object>> views;
    private final Clock clock;

    public Console(
            Authorizer authorizer,
            ConsoleSessions sessions,
            ThymeleafViewsRenderer<Map<String, Object>> views,
            Clock clock) {
        this.authorizer = authorizer;
        this.sessions = sessions;
        this.views = views;
        this.clock = clock;
    }

    /**
     * A page's reader: the administrator, in this browser's session (a new one when it has none). Without a client
     * certificate or a bearer token, an OIDC sign-in's session says who it is.
     */
    public Signed read(HttpRequest<?> request) {
        if (noCredential(request)) {
            Optional<ConsoleSessions.Session> signedIn = sessions.signedIn(request);
            if (signedIn.isPresent()) {
                return new Signed(new AdminGrant(signedIn.get().actor()), signedIn.get());
            }
        }
        AdminGrant admin = authorizer.admin(request);
        return new Signed(admin, sessions.open(request, admin.actor()));
    }

    /** A form's sender: a page of this console, in a live session of the same administrator, with its token. */
    Signed submit(HttpRequest<?> request, Form form) {
        ConsoleSessions.sameOrigin(request);
        if (noCredential(request)) {
            Optional<ConsoleSessions.Session> s = sessions.signedInForm(request, form.get("csrf"));
            if (s.isPresent()) {
                return new Signed(new AdminGrant(s.get().actor()), s.get());
            }
        }
        AdminGrant admin = authorizer.admin(request);
        return new Signed(admin, sessions.forForm(request, admin.actor(), form.get("csrf")));
    }

    private static boolean noCredential(HttpRequest<?> request) {
        return request.getCertificate().isEmpty()
                && request.getHeaders().getAuthorization().isEmpty();
    }

    /** A page anyone may read (the sign-in page). */
    MutableHttpResponse<?> open(HttpRequest<?> request, String view, Map<String, Object> model) {
        return HttpResponse.ok(render(request, view, model)).contentType("text/html; charset=utf-8");
    }

    /**
     * A page: the view with the layout's model (who, the form token, the current section), rendered here, so that a
     * template failing is an error answered like any other (not a connection left without an answer).
     */
    MutableHttpResponse<?> page(
            HttpRequest<?> request, Signed s, String view, String section, Map<String, Object> model) {
        Map<String, Object> m = new HashMap<>(model);
        m.put("actor", s.admin().actor());
        m.put("csrf", sessions.token(s.session()));
        m.put("section", section);
        m.put("now", clock.instant());
        MutableHttpResponse<?> r = HttpResponse.ok(render(request, view, m)).contentType("text/html; charset=utf-8");
        // a link from another site arrives without the cookie (SameSite=Strict): a new one would replace the
        // browser's session and spoil the forms of its open pages
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (s.session().fresh() && (site == null || site.equals("same-origin") || site.equals("none"))) {
            r.cookie(sessions.cookie(s.session()));
        }
        return r;
    }

    private String render(HttpRequest<?> request, String view, Map<String, Object> model) {
        StringWriter html = new StringWriter();
        try {
            views.render(view, model, request).writeTo(html);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return html.toString();
    }

    /** After a form: back to a page (303, so a reload does not post again), with a notice in the query. */
    MutableHttpResponse<?> seeOther(Signed s, String path) {
        MutableHttpResponse<?> r = HttpResponse.seeOther(URI.create(path));
        if (s.session().fresh()) {
            r.cookie(sessions.cookie(s.session()));
        }
        return r;
    }
}
