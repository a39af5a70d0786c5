package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.domain.PkiException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's sessions: a cookie ({@code __Host-}, HttpOnly, Secure, SameSite=Strict) naming a random id, when it
 * was opened and, through its MAC, the administrator it was opened for; and the form token (CSRF) derived from it.
 * Nothing is stored: the administrator's client certificate signs every request in again, so a session only bounds
 * how long a form stays good and ties it to this browser. The MAC key is this process's own (a replica restarted, or
 * another replica, asks for the page to be reloaded before a form is accepted).
 */
@Singleton
public class ConsoleSessions {
    static final String COOKIE = "__Host-hsmca-console";
    static final Duration LIFETIME = Duration.ofMinutes(15);

    /** A session: {@code opened} now when {@code fresh} (its cookie is to be set on the answer). */
    public record Session(String id, Instant opened, String actor, boolean fresh) {}

    private final byte[] key = new byte[32];
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public ConsoleSessions(Clock clock) {
        this.clock = clock;
        random.nextBytes(key);
    }

    /** The browser's session when it is this administrator's and not past half its life; else a new one. */
    public Session open(HttpRequest<?> request, String actor) {
        Optional<Session> current = current(request, actor);
        Instant now = clock.instant();
        if (current.isPresent()
                && current.get().opened().plus(LIFETIME.dividedBy(2)).isAfter(now)) {
            return current.get();
        }
        byte[] id = new byte[16];
        random.nextBytes(id);
        return new Session(
                HexFormat.of().formatHex(id), now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), actor, true);
    }

    /**
     * A form's session: the browser's cookie, this administrator's and alive, with the form token derived from it;
     * a form from another site (Origin, Sec-Fetch-Site) is refused before anything else.
     */
    public Session forForm(HttpRequest<?> request, String actor, String formToken) {
        sameOrigin(request);
        Session session = current(request, actor)
                .orElseThrow(() -> PkiException.forbidden(
                        "console_session_expired", "the console session expired: reload the page and try again"));
        byte[] expected = token(session).getBytes(StandardCharsets.US_ASCII);
        byte[] given = formToken == null ? new byte[0] : formToken.getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw PkiException.forbidden("csrf_token_invalid", "the form's token does not match this session");
        }
        return session;
    }

    /** The token every state-changing form of this session carries. */
    public String token(Session s) {
        return mac("form|" + s.id() + "|" + s.actor());
    }

    public Cookie cookie(Session s) {
        String value = s.id() + "." + s.opened().getEpochSecond() + "."
                + mac(s.id() + "|" + s.opened().getEpochSecond() + "|" + s.actor());
        return Cookie.of(COOKIE, value)
                .path("/")
                .httpOnly(true)
                .secure(true)
                .sameSite(SameSite.Strict)
                .maxAge(LIFETIME);
    }

    private Optional<Session> current(HttpRequest<?> request, String actor) {
        return request.getCookies().findCookie(COOKIE).flatMap(c -> parse(c.getValue(), actor));
    }

    private Optional<Session> parse(String value, String actor) {
        String[] parts = value.split("\\.", 4);
        if (parts.length != 3 || parts[0].length() != 32 || parts[1].length() > 19) {
            return Optional.empty();
        }
        long opened;
        try {
            opened = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        byte[] expected = mac(parts[0] + "|" + opened + "|" + actor).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty(); // another administrator's, another process's, or made up
        }
        Instant at = Instant.ofEpochSecond(opened);
        Instant now = clock.instant();
        if (!at.plus(LIFETIME).isAfter(now) || at.isAfter(now.plusSeconds(60))) {
            return Optional.empty();
        }
        return Optional.of(new Session(parts[0], at, actor, false));
    }

    /** A state change comes from the console's own pages: no other site's Origin, no cross-site fetch. */
    static void sameOrigin(HttpRequest<?> request) {
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw PkiException.forbidden("cross_site_request", "the console takes forms from its own pages only");
        }
        String origin = request.getHeaders().get("Origin");
        if (origin != null) {
            String host = request.getHeaders().get("Host");
            URI o;
            try {
                o = URI.create(origin);
            } catch (IllegalArgumentException e) {
                throw PkiException.forbidden("cross_site_request", "the console takes forms from its own pages only");
            }
            String authority = o.getPort() == -1 ? o.getHost() : o.getHost() + ":" + o.getPort();
            if (!"https".equals(o.getScheme()) || host == null || !host.equalsIgnoreCase(authority)) {
                throw PkiException.forbidden("cross_site_request", "the console takes forms from its own pages only");
            }
        }
    }

    private String mac(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
