package dev.hsmca.appliance.web.console;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.PkiException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The console's sessions and form tokens, on a clock the test moves. */
class ConsoleSessionsTest {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-05T12:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    final ConsoleSessions sessions = new ConsoleSessions(clock);

    MutableHttpRequest<String> form(ConsoleSessions.Session s) {
        MutableHttpRequest<String> r = HttpRequest.POST("/ui/audit/verify", "");
        r.header("Host", "ca.example:8443");
        if (s != null) {
            r.cookie(sessions.cookie(s));
        }
        return r;
    }

    @Test
    void aSessionHoldsForItsLifeForItsAdministratorOnly() {
        ConsoleSessions.Session s = sessions.open(HttpRequest.GET("/ui/"), "admin:01");
        assertTrue(s.fresh());
        String token = sessions.token(s);
        assertDoesNotThrow(() -> sessions.forForm(form(s), "admin:01", token));
        assertEquals(
                "csrf_token_invalid",
                assertThrows(PkiException.class, () -> sessions.forForm(form(s), "admin:01", token + "A"))
                        .code());
        // another administrator's certificate with this browser's cookie: not its session
        assertEquals(
                "console_session_expired",
                assertThrows(PkiException.class, () -> sessions.forForm(form(s), "admin:02", token))
                        .code());
        assertThrows(PkiException.class, () -> sessions.forForm(form(null), "admin:01", token));
        now.set(now.get().plus(ConsoleSessions.LIFETIME));
        assertEquals(
                "console_session_expired",
                assertThrows(PkiException.class, () -> sessions.forForm(form(s), "admin:01", token))
                        .code());
    }

    @Test
    void aSessionPastHalfItsLifeIsRenewed() {
        ConsoleSessions.Session s = sessions.open(HttpRequest.GET("/ui/"), "admin:01");
        MutableHttpRequest<?> again = HttpRequest.GET("/ui/").cookie(sessions.cookie(s));
        assertFalse(sessions.open(again, "admin:01").fresh());
        now.set(now.get().plus(ConsoleSessions.LIFETIME.dividedBy(2)).plus(Duration.ofSeconds(1)));
        ConsoleSessions.Session renewed = sessions.open(again, "admin:01");
        assertTrue(renewed.fresh());
        assertNotEquals(sessions.token(s), sessions.token(renewed));
    }

    @Test
    void aFormFromAnotherSiteIsRefusedWhateverItCarries() {
        ConsoleSessions.Session s = sessions.open(HttpRequest.GET("/ui/"), "admin:01");
        String token = sessions.token(s);
        for (String origin :
                new String[] {"https://evil.example", "http://ca.example:8443", "https://ca.example", "null"}) {
            MutableHttpRequest<String> r = form(s);
            r.header("Origin", origin);
            assertEquals(
                    "cross_site_request",
                    assertThrows(PkiException.class, () -> sessions.forForm(r, "admin:01", token))
                            .code(),
                    origin);
        }
        MutableHttpRequest<String> sameSite = form(s);
        sameSite.header("Sec-Fetch-Site", "same-site");
        assertThrows(PkiException.class, () -> sessions.forForm(sameSite, "admin:01", token));
        MutableHttpRequest<String> own = form(s);
        own.header("Origin", "https://ca.example:8443");
        own.header("Sec-Fetch-Site", "same-origin");
        assertDoesNotThrow(() -> sessions.forForm(own, "admin:01", token));
    }

    @Test
    void anOidcSessionEndsWhenIdleAndAtMostEightHoursAfterSigningInHoweverBusy() {
        ConsoleSessions.Session s = sessions.signIn("oidc:idp:alice");
        MutableHttpRequest<?> r = HttpRequest.GET("/ui/").cookie(sessions.cookie(s));
        assertEquals("oidc:idp:alice", sessions.signedIn(r).orElseThrow().actor());
        // a certificate's session of the same administrator is not this one, nor the other way round
        assertTrue(sessions.open(r, "oidc:idp:alice").fresh());
        // used every 7 minutes: renewed each time, until 8 hours after the sign-in
        Instant signedIn = now.get();
        ConsoleSessions.Session current = s;
        while (now.get().isBefore(signedIn.plus(ConsoleSessions.SIGNED_IN_MAX).minus(Duration.ofMinutes(8)))) {
            now.set(now.get().plus(Duration.ofMinutes(7)));
            current = sessions.signedIn(HttpRequest.GET("/ui/").cookie(sessions.cookie(current)))
                    .orElseThrow();
        }
        now.set(signedIn.plus(ConsoleSessions.SIGNED_IN_MAX));
        ConsoleSessions.Session last = current;
        assertTrue(sessions.signedIn(HttpRequest.GET("/ui/").cookie(sessions.cookie(last)))
                .isEmpty());
        // idle for the session's lifetime: over
        ConsoleSessions.Session idle = sessions.signIn("oidc:idp:bob");
        now.set(now.get().plus(ConsoleSessions.LIFETIME));
        assertTrue(sessions.signedIn(HttpRequest.GET("/ui/").cookie(sessions.cookie(idle)))
                .isEmpty());
    }

    @Test
    void aForgedCookieIsNoSession() {
        MutableHttpRequest<?> forged = HttpRequest.GET("/ui/")
                .cookie(io.micronaut.http.cookie.Cookie.of(
                        ConsoleSessions.COOKIE, "0".repeat(32) + "." + now.get().getEpochSecond() + ".AAAA"));
        assertTrue(sessions.open(forged, "admin:01").fresh());
    }
}
