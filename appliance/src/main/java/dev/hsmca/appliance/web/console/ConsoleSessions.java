package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.web.CrossSiteFilter;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Singleton;
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

    /** The OIDC sign-in's state, nonce and PKCE verifier, kept by the browser until the issuer sends it back. */
    static final String LOGIN_COOKIE = "__Host-hsmca-login";

    static final Duration LOGIN_LIFETIME = Duration.ofMinutes(5);

    /**
     * A session: {@code opened} now when {@code fresh} (its cookie is to be set on the answer). {@code signedIn}: an
     * OIDC sign-in, where the session itself (not a client certificate) says who the administrator is.
     */
    public record Session(String id, Instant opened, String actor, boolean fresh, boolean signedIn, Instant since) {}

    /** A sign-in under way, and the redirect URI it was started with (the code is for that one). */
    public record Login(String state, String nonce, String verifier, String redirectUri) {}

    /** An OIDC sign-in lasts this long at most, however busy (then the issuer is asked again). */
    static final Duration SIGNED_IN_MAX = Duration.ofHours(8);

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
                HexFormat.of().formatHex(id),
                now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                actor,
                true,
                false,
                now);
    }

    /** A new session for an administrator who signed in through OIDC now. */
    public Session signIn(String actor) {
        return signIn(actor, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    private Session signIn(String actor, Instant since) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return new Session(
                HexFormat.of().formatHex(id),
                clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                actor,
                true,
                true,
                since);
    }

    /**
     * The OIDC-signed-in session this browser carries, alive (renewed past half its life: it ends after
     * {@link #LIFETIME} without use, and {@link #SIGNED_IN_MAX} after the sign-in).
     */
    public Optional<Session> signedIn(HttpRequest<?> request) {
        Optional<Session> s = request.getCookies().findCookie(COOKIE).flatMap(c -> parseSignedIn(c.getValue()));
        if (s.isPresent() && !s.get().opened().plus(LIFETIME.dividedBy(2)).isAfter(clock.instant())) {
            return Optional.of(signIn(s.get().actor(), s.get().since()));
        }
        return s;
    }

    /**
     * A form of an OIDC-signed-in session, when the browser has a live one (else empty: the sender needs another
     * credential): the same checks as {@link #forForm}.
     */
    public Optional<Session> signedInForm(HttpRequest<?> request, String formToken) {
        sameOrigin(request);
        Optional<Session> session = request.getCookies().findCookie(COOKIE).flatMap(c -> parseSignedIn(c.getValue()));
        session.ifPresent(s -> checkToken(s, formToken));
        return session;
    }

    private Optional<Session> parseSignedIn(String value) {
        String[] parts = value.split("\\.", 6);
        if (parts.length != 5
                || parts[0].length() != 32
                || parts[1].length() > 19
                || parts[2].length() > 19
                || parts[3].length() > 700) {
            return Optional.empty();
        }
        String actor;
        long opened;
        long since;
        try {
            actor = new String(Base64.getUrlDecoder().decode(parts[3]), StandardCharsets.UTF_8);
            opened = Long.parseLong(parts[1]);
            since = Long.parseLong(parts[2]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        byte[] expected = mac("oidc|" + parts[0] + "|" + opened + "|" + since + "|" + actor)
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[4].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        Instant at = Instant.ofEpochSecond(opened);
        Instant signedInAt = Instant.ofEpochSecond(since);
        Instant now = clock.instant();
        if (!at.plus(LIFETIME).isAfter(now)
                || at.isAfter(now.plusSeconds(60))
                || !signedInAt.plus(SIGNED_IN_MAX).isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(new Session(parts[0], at, actor, false, true, signedInAt));
    }

    /** The cookie that keeps a sign-in's secrets until the issuer sends the browser back (Lax: it comes from there). */
    public Cookie loginCookie(Login login) {
        long expires = clock.instant().plus(LOGIN_LIFETIME).getEpochSecond();
        String data = login.state() + "." + login.nonce() + "." + login.verifier() + "."
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(login.redirectUri().getBytes(StandardCharsets.UTF_8))
                + "." + expires;
        return Cookie.of(LOGIN_COOKIE, data + "." + mac("login|" + data))
                .path("/")
                .httpOnly(true)
                .secure(true)
                .sameSite(SameSite.Lax)
                .maxAge(LOGIN_LIFETIME);
    }

    /** The sign-in under way in this browser whose state the issuer sent back, or a refusal. */
    public Login login(HttpRequest<?> request, String state) {
        String[] parts = request.getCookies()
                .findCookie(LOGIN_COOKIE)
                .map(Cookie::getValue)
                .orElseThrow(() -> PkiException.forbidden(
                        "login_state_missing", "no sign-in was started in this browser (or it took over 5 minutes)"))
                .split("\\.", 7);
        PkiException invalid =
                PkiException.forbidden("login_state_invalid", "the sign-in's cookie or state is not this console's");
        if (parts.length != 6 || parts[3].length() > 2800) {
            throw invalid;
        }
        String data = parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3] + "." + parts[4];
        if (!MessageDigest.isEqual(
                        mac("login|" + data).getBytes(StandardCharsets.US_ASCII),
                        parts[5].getBytes(StandardCharsets.US_ASCII))
                || state == null
                || !MessageDigest.isEqual(
                        parts[0].getBytes(StandardCharsets.US_ASCII), state.getBytes(StandardCharsets.US_ASCII))) {
            throw invalid;
        }
        try {
            if (clock.instant().getEpochSecond() > Long.parseLong(parts[4])) {
                throw PkiException.forbidden("login_state_missing", "the sign-in took over 5 minutes: start again");
            }
        } catch (NumberFormatException e) {
            throw invalid;
        }
        return new Login(
                parts[0],
                parts[1],
                parts[2],
                new String(Base64.getUrlDecoder().decode(parts[3]), StandardCharsets.UTF_8));
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
        checkToken(session, formToken);
        return session;
    }

    private void checkToken(Session session, String formToken) {
        byte[] expected = token(session).getBytes(StandardCharsets.US_ASCII);
        byte[] given = formToken == null ? new byte[0] : formToken.getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw PkiException.forbidden("csrf_token_invalid", "the form's token does not match this session");
        }
    }

    /** The token every state-changing form of this session carries. */
    public String token(Session s) {
        return mac("form|" + s.id() + "|" + s.actor() + "|" + s.signedIn());
    }

    public Cookie cookie(Session s) {
        long opened = s.opened().getEpochSecond();
        String value = s.signedIn()
                ? s.id() + "." + opened + "."
                        + s.since().getEpochSecond() + "."
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(s.actor().getBytes(StandardCharsets.UTF_8))
                        + "."
                        + mac("oidc|" + s.id() + "|" + opened + "|" + s.since().getEpochSecond() + "|" + s.actor())
                : s.id() + "." + opened + "." + mac(s.id() + "|" + opened + "|" + s.actor());
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
        return Optional.of(new Session(parts[0], at, actor, false, false, at));
    }

    /** A state change comes from the console's own pages: no other site's Origin, no cross-site fetch. */
    static void sameOrigin(HttpRequest<?> request) {
        PkiException refused = CrossSiteFilter.refusal(request); // the filter's own rule, checked here again
        if (refused != null) {
            throw refused;
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
