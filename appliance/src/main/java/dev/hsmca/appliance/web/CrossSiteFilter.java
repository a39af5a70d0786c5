package dev.hsmca.appliance.web;

import dev.hsmca.appliance.domain.PkiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.net.URI;

/**
 * Requests another site's page makes a browser send. An administrator's browser holds the admin's client certificate
 * (the console asks for it) and sends it to this host whatever page asks: SameSite does not apply to client
 * certificates. So a state change (any method but GET and HEAD) is refused when the browser says it comes from
 * another site ({@code Sec-Fetch-Site}) or names another origin ({@code Origin}); a console page is read cross-site
 * only as a top-level navigation (a link), never as an image, script or fetch. Clients that are not browsers
 * (curl, the agents, the Python client) send neither header and are not affected; ACME requests are signed (JWS).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class CrossSiteFilter {

    @RequestFilter
    @Nullable
    public HttpResponse<?> refuseCrossSite(HttpRequest<?> request) {
        String path = request.getPath();
        if (path.startsWith("/acme/")) {
            return null;
        }
        PkiException refused = refusal(request);
        return refused == null ? null : ErrorResponses.of(request, refused, () -> "");
    }

    /** Why this request is refused, or null. */
    @Nullable
    public static PkiException refusal(HttpRequest<?> request) {
        String site = request.getHeaders().get("Sec-Fetch-Site");
        boolean foreign = site != null && !site.equals("same-origin") && !site.equals("none");
        boolean reads = request.getMethod() == HttpMethod.GET || request.getMethod() == HttpMethod.HEAD;
        if (reads) {
            boolean console = request.getPath().startsWith("/ui");
            boolean navigation = "navigate".equals(request.getHeaders().get("Sec-Fetch-Mode"))
                    && "document".equals(request.getHeaders().get("Sec-Fetch-Dest"));
            return console && foreign && !navigation ? crossSite() : null;
        }
        if (foreign || !sameOrigin(request)) {
            return crossSite();
        }
        return null;
    }

    /** No Origin (not a browser, or a same-origin GET turned POST by an old browser), or this host's own. */
    static boolean sameOrigin(HttpRequest<?> request) {
        String origin = request.getHeaders().get("Origin");
        if (origin == null) {
            return true;
        }
        String host = request.getHeaders().get("Host");
        try {
            URI o = URI.create(origin);
            String authority = o.getPort() == -1 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return "https".equals(o.getScheme()) && host != null && host.equalsIgnoreCase(authority);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static PkiException crossSite() {
        return PkiException.forbidden(
                "cross_site_request", "another site's page may not use this appliance with your credentials");
    }
}
