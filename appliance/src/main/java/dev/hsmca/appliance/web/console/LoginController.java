package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.oidc.OidcLogin;
import dev.hsmca.appliance.web.Authorizer;
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
import java.util.Locale;
import java.util.Map;

/**
 * Signing in: with the admin's client certificate (nothing to do but open the console), or through the trusted
 * OIDC issuer (authorization code with PKCE, {@link OidcLogin}); only an identity the rules grant {@code admin}
 * gets a session. Sign-ins and sign-outs are audited, refused sign-ins counted like the API's.
 */
@io.swagger.v3.oas.annotations.Hidden // a page for people, not part of the API
@Controller("/ui")
@Produces(MediaType.TEXT_HTML)
public class LoginController {
    static final String ACTION = "console.login";

    private final Console console;
    private final ConsoleSessions sessions;
    private final OidcLogin login;
    private final CaConfig ca;
    private final Authorizer authorizer;
    private final AuditLog audit;

    public LoginController(
            Console console,
            ConsoleSessions sessions,
            OidcLogin login,
            CaConfig ca,
            Authorizer authorizer,
            AuditLog audit) {
        this.console = console;
        this.sessions = sessions;
        this.login = login;
        this.ca = ca;
        this.authorizer = authorizer;
        this.audit = audit;
    }

    @Get("/login")
    public HttpResponse<?> page(HttpRequest<?> request) {
        return console.open(
                request, "login", Map.of("oidc", login.enabled(), "issuer", login.issuerName(), "done", false));
    }

    @Get("/oidc/start")
    public HttpResponse<?> start(HttpRequest<?> request) {
        String redirectUri = redirectUri(request);
        OidcLogin.Start start = login.start(redirectUri);
        return HttpResponse.status(HttpStatus.FOUND)
                .header("Location", start.authorization().toString())
                .cookie(sessions.loginCookie(
                        new ConsoleSessions.Login(start.state(), start.nonce(), start.verifier(), redirectUri)));
    }

    /** The issuer sends the browser back here with the code (or an error) and the sign-in's state. */
    @Get("/oidc/callback")
    public HttpResponse<?> callback(
            HttpRequest<?> request,
            @Nullable @QueryValue String code,
            @Nullable @QueryValue String state,
            @Nullable @QueryValue String error) {
        try {
            // the sign-in must be this browser's before anything the URL says is believed
            ConsoleSessions.Login started = sessions.login(request, state);
            if (error != null) {
                String shown = error.matches("[a-z_]{1,64}") ? error : "error";
                throw PkiException.unauthorized("oidc_login_failed", "the issuer did not sign you in (" + shown + ")");
            }
            if (code == null || code.isBlank() || code.length() > 4096) {
                throw PkiException.malformed("oidc_code_missing", "the issuer sent no code back");
            }
            Operator who = login.finish(code, started.verifier(), started.nonce(), started.redirectUri());
            if (!who.admin()) {
                throw PkiException.forbidden("not_admin", who.actor() + " is not an administrator of this appliance");
            }
            ConsoleSessions.Session session = sessions.signIn(who.actor());
            audit.recordAlone(who.actor(), ACTION, "console", AuditLog.OK, "via=oidc issuer=" + login.issuerName());
            // a page, not a redirect: the browser came from the issuer's site, and would hold back the
            // SameSite=Strict cookie on a redirect; the page's own link (same site) carries it
            return console.open(request, "login", Map.of("oidc", true, "issuer", login.issuerName(), "done", true))
                    .cookie(sessions.cookie(session))
                    .cookie(Cookie.of(ConsoleSessions.LOGIN_COOKIE, "")
                            .path("/")
                            .secure(true)
                            .maxAge(0));
        } catch (PkiException e) {
            if (e.kind() == PkiException.Kind.UNAUTHORIZED || e.kind() == PkiException.Kind.FORBIDDEN) {
                throw authorizer.refused(request, ACTION, e);
            }
            throw e;
        }
    }

    @Post("/logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> logout(HttpRequest<?> request, @Body @Nullable String body) {
        Console.Signed s = console.submit(request, Form.parse(body));
        audit.recordAlone(s.admin().actor(), "console.logout", "console", AuditLog.OK, "");
        return HttpResponse.seeOther(java.net.URI.create("/ui/login"))
                .cookie(Cookie.of(ConsoleSessions.COOKIE, "")
                        .path("/")
                        .secure(true)
                        .httpOnly(true)
                        .maxAge(0));
    }

    /**
     * The configured redirect URI; else this appliance's own, from a Host that is one of its TLS names (a made-up
     * Host would send the issuer's code elsewhere, if the issuer allowed that URI).
     */
    private String redirectUri(HttpRequest<?> request) {
        if (!login.enabled()) {
            throw PkiException.notFound("oidc_not_configured", "this console has no OIDC sign-in configured");
        }
        if (login.redirectConfigured()) {
            return login.redirectUri(null);
        }
        String host = request.getHeaders().get("Host");
        String name = host == null ? "" : host.replaceFirst(":\\d{1,5}$", "").replaceAll("^\\[|\\]$", "");
        if (host == null
                || !host.matches("[A-Za-z0-9.\\-\\[\\]:]{1,255}")
                || ca.tlsNames().stream()
                        .noneMatch(n -> n.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))) {
            throw PkiException.malformed(
                    "bad_host", "set pki.console.oidc.redirect-uri, or reach the console by one of pki.ca.tls-names");
        }
        return login.redirectUri(host);
    }
}
