package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.oidc.OidcLogin;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.cookie.Cookie;
import java.util.Map;

/**
 * Signing in: with the admin's client certificate (nothing to do but open the console), or through the trusted
 * OIDC issuer (authorization code with PKCE, {@link OidcLogin}); only an identity the rules grant {@code admin}
 * gets a session. Signing out ends an OIDC session (a certificate signs every request in).
 */
@Controller("/ui")
@Produces(MediaType.TEXT_HTML)
public class LoginController {
    private final Console console;
    private final ConsoleSessions sessions;
    private final OidcLogin login;

    public LoginController(Console console, ConsoleSessions sessions, OidcLogin login) {
        this.console = console;
        this.sessions = sessions;
        this.login = login;
    }

    @Get("/login")
    public HttpResponse<?> page(HttpRequest<?> request) {
        return console.open(
                request, "login", Map.of("oidc", login.enabled(), "issuer", login.issuerName(), "done", false));
    }

    @Get("/oidc/start")
    public HttpResponse<?> start(HttpRequest<?> request) {
        OidcLogin.Start start = login.start(redirectUri(request));
        return HttpResponse.status(HttpStatus.FOUND)
                .header("Location", start.authorization().toString())
                .cookie(sessions.loginCookie(
                        new ConsoleSessions.Login(start.state(), start.nonce(), start.verifier())));
    }

    /** The issuer sends the browser back here with the code (or an error) and the sign-in's state. */
    @Get("/oidc/callback")
    public HttpResponse<?> callback(
            HttpRequest<?> request,
            @Nullable @QueryValue String code,
            @Nullable @QueryValue String state,
            @Nullable @QueryValue String error) {
        if (error != null) {
            throw PkiException.unauthorized("oidc_login_failed", "the issuer did not sign you in (" + error + ")");
        }
        ConsoleSessions.Login started = sessions.login(request, state);
        if (code == null || code.isBlank() || code.length() > 4096) {
            throw PkiException.malformed("oidc_code_missing", "the issuer sent no code back");
        }
        Operator who = login.finish(code, started.verifier(), started.nonce(), redirectUri(request));
        if (!who.admin()) {
            throw PkiException.forbidden("not_admin", who.actor() + " is not an administrator of this appliance");
        }
        ConsoleSessions.Session session = sessions.signIn(who.actor());
        // a page, not a redirect: the browser came from the issuer's site, and would hold back the SameSite=Strict
        // cookie on a redirect; the page's own link (same site) carries it
        return console.open(request, "login", Map.of("oidc", true, "issuer", login.issuerName(), "done", true))
                .cookie(sessions.cookie(session))
                .cookie(Cookie.of(ConsoleSessions.LOGIN_COOKIE, "")
                        .path("/")
                        .secure(true)
                        .maxAge(0));
    }

    @Post("/logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> logout(HttpRequest<?> request, @Body @Nullable String body) {
        console.submit(request, Form.parse(body));
        return HttpResponse.seeOther(java.net.URI.create("/ui/login"))
                .cookie(Cookie.of(ConsoleSessions.COOKIE, "")
                        .path("/")
                        .secure(true)
                        .httpOnly(true)
                        .maxAge(0));
    }

    private String redirectUri(HttpRequest<?> request) {
        if (!login.enabled()) {
            throw PkiException.notFound("oidc_not_configured", "this console has no OIDC sign-in configured");
        }
        String host = request.getHeaders().get("Host");
        if (host == null || !host.matches("[A-Za-z0-9.\\-\\[\\]:]{1,255}")) {
            throw PkiException.malformed("bad_host", "the request names no usable Host");
        }
        return login.redirectUri(host);
    }
}
