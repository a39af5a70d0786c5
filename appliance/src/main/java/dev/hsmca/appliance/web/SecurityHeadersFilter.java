package dev.hsmca.appliance.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * HSTS and no-sniff on everything; API answers are never cached. The console's pages may load its own stylesheet and
 * script (never inline ones, never another origin's) and post forms to it only.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class SecurityHeadersFilter {
    static final String CONSOLE_POLICY = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @ResponseFilter
    public void headers(HttpRequest<?> request, MutableHttpResponse<?> response) {
        response.header("Strict-Transport-Security", "max-age=31536000");
        response.header("X-Content-Type-Options", "nosniff");
        response.header("X-Frame-Options", "DENY");
        response.header(
                "Content-Security-Policy",
                request.getPath().startsWith("/ui") ? CONSOLE_POLICY : "default-src 'none'; frame-ancestors 'none'");
        if (request.getPath().startsWith("/ui")) {
            // not no-referrer: with it a browser sends "Origin: null" on the console's own forms
            response.header("Referrer-Policy", "same-origin");
            response.header("Cross-Origin-Opener-Policy", "same-origin");
            response.header("Cross-Origin-Resource-Policy", "same-origin");
        }
        if (!response.getHeaders().contains("Cache-Control")) {
            response.header("Cache-Control", "no-store");
        }
    }
}
