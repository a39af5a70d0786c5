package dev.hsmca.appliance.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's OIDC sign-in (authorization code with PKCE) against an issuer in the test JVM: a browser without a
 * client certificate signs in, reads and posts forms as the administrator the rules make it; a user the rules do not
 * make admin, a forged state, a replayed code and a sign-in started in another browser are refused.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleOidcLoginTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();
    static final FakeOidcIssuer IDP = new FakeOidcIssuer();
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.oidc.issuers.idp.issuer", IDP.issuer());
        p.put("pki.oidc.issuers.idp.audience", "pki-console");
        p.put("pki.oidc.rules.admins.issuer", "idp");
        p.put("pki.oidc.rules.admins.claim", "groups");
        p.put("pki.oidc.rules.admins.value", "pki-admins");
        p.put("pki.oidc.rules.admins.grants", "admin");
        p.put("pki.oidc.rules.makers.issuer", "idp");
        p.put("pki.oidc.rules.makers.claim", "groups");
        p.put("pki.oidc.rules.makers.value", "token-makers");
        p.put("pki.oidc.rules.makers.grants", "install-tokens");
        p.put("pki.console.oidc.issuer", "idp");
        p.put("pki.console.oidc.client-id", "pki-console");
        return p;
    }

    @AfterAll
    void stop() {
        IDP.close();
    }

    /** A browser without a client certificate: it keeps cookies by name and does not follow redirects itself. */
    final class Browser {
        final HttpClient http = HttpClient.newBuilder()
                .sslContext(APP.anonymousSsl())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        final Map<String, String> cookies = new HashMap<>();

        HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
            if (!cookies.isEmpty()) {
                b.header(
                        "Cookie",
                        String.join(
                                "; ",
                                cookies.entrySet().stream()
                                        .map(e -> e.getKey() + "=" + e.getValue())
                                        .toList()));
            }
            HttpResponse<String> r =
                    http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            for (String c : r.headers().allValues("Set-Cookie")) {
                String pair = c.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String value = pair.substring(eq + 1);
                if (value.isEmpty() || c.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")) {
                    cookies.remove(pair.substring(0, eq));
                } else {
                    cookies.put(pair.substring(0, eq), value);
                }
            }
            return r;
        }

        HttpResponse<String> get(String url) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(url)).GET());
        }

        /** Start at the console, through the issuer, back to the callback: its answer. */
        HttpResponse<String> signIn() throws Exception {
            HttpResponse<String> start = get(console("/ui/oidc/start"));
            assertEquals(302, start.statusCode(), start.body());
            String authorize = start.headers().firstValue("Location").orElseThrow();
            assertTrue(authorize.startsWith(IDP.issuer() + "/authorize?"), authorize);
            assertTrue(authorize.contains("code_challenge_method=S256"), authorize);
            HttpResponse<String> idp = get(authorize);
            assertEquals(302, idp.statusCode());
            return get(idp.headers().firstValue("Location").orElseThrow());
        }
    }

    String console(String path) {
        return "https://localhost:" + server.getPort() + path;
    }

    @Test
    void anAdministratorSignsInReadsAndPostsWithoutACertificate() throws Exception {
        IDP.user = Map.of("preferred_username", "alice", "groups", List.of("pki-admins"));
        Browser b = new Browser();
        assertEquals(401, b.get(console("/ui/")).statusCode());
        HttpResponse<String> back = b.signIn();
        assertEquals(200, back.statusCode(), back.body());
        assertTrue(back.body().contains("id=\"signed-in\""), back.body());
        String setCookie = back.headers().allValues("Set-Cookie").toString();
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);

        HttpResponse<String> overview = b.get(console("/ui/"));
        assertEquals(200, overview.statusCode(), b.cookies + " " + setCookie + " " + overview.body());
        assertTrue(overview.body().contains("oidc:idp:") && overview.body().contains("/alice"), overview.body());
        Matcher m = CSRF.matcher(b.get(console("/ui/audit")).body());
        assertTrue(m.find());
        HttpResponse<String> verified = b.send(HttpRequest.newBuilder(URI.create(console("/ui/audit/verify")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + m.group(1))));
        assertEquals(200, verified.statusCode(), verified.body());
        assertTrue(verified.body().contains("The chain is intact"));

        HttpResponse<String> out = b.send(HttpRequest.newBuilder(URI.create(console("/ui/logout")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + m.group(1))));
        assertEquals(303, out.statusCode(), out.body());
        assertEquals(401, b.get(console("/ui/")).statusCode(), "signed out");
        String audited = new dev.hsmca.appliance.testing.Api(APP.adminSsl(), server.getPort())
                .get("/api/v1/audit?action=console.login")
                .body();
        assertTrue(audited.contains("/alice"), audited);
    }

    /** The console's ID tokens are for signing in: not bearer tokens for the API. */
    @Test
    void anIdTokenIsNotABearerTokenForTheApi() throws Exception {
        String idToken = FakeOidcIssuer.sign(
                IDP.claims(Map.of("groups", List.of("pki-admins"), "nonce", "n-1"))
                        .audience("pki-console")
                        .build(),
                IDP.currentKey(),
                com.nimbusds.jose.JWSAlgorithm.RS256);
        HttpResponse<String> r = new Browser()
                .send(HttpRequest.newBuilder(URI.create(console("/api/v1/install-tokens")))
                        .header("Authorization", "Bearer " + idToken)
                        .GET());
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(r.body().contains("id_token_not_accepted"), r.body());
    }

    /** A Host that is not one of the appliance's TLS names would send the issuer's code elsewhere. */
    @Test
    void aSignInForAnotherHostIsRefused() throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)
                APP.anonymousSsl().getSocketFactory().createSocket("localhost", server.getPort())) {
            socket.getOutputStream()
                    .write(("GET /ui/oidc/start HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("bad_host"), answer);
            assertFalse(answer.contains("Location:"), answer);
        }
    }

    @Test
    void someoneTheRulesDoNotMakeAdminGetsNoSession() throws Exception {
        IDP.user = Map.of("preferred_username", "bob", "groups", List.of("token-makers"));
        Browser b = new Browser();
        HttpResponse<String> back = b.signIn();
        assertEquals(403, back.statusCode(), back.body());
        assertTrue(back.body().contains("not_admin"), back.body());
        assertEquals(401, b.get(console("/ui/")).statusCode());
        IDP.user = Map.of("preferred_username", "eve", "groups", List.of("nobody"));
        HttpResponse<String> none = new Browser().signIn();
        assertEquals(403, none.statusCode(), none.body());
        assertTrue(none.body().contains("not_allowed"), none.body());
    }

    @Test
    void aForgedStateAReplayedCodeAndAnotherBrowsersSignInAreRefused() throws Exception {
        IDP.user = Map.of("preferred_username", "alice", "groups", List.of("pki-admins"));
        Browser b = new Browser();
        HttpResponse<String> start = b.get(console("/ui/oidc/start"));
        HttpResponse<String> idp = b.get(start.headers().firstValue("Location").orElseThrow());
        String callback = idp.headers().firstValue("Location").orElseThrow();

        HttpResponse<String> forged = b.get(callback.replaceAll("state=[^&]+", "state=forged"));
        assertEquals(403, forged.statusCode(), forged.body());
        assertTrue(forged.body().contains("login_state_invalid"), forged.body());

        // the attacker's own callback URL, opened in the victim's browser (login CSRF): no sign-in started there
        HttpResponse<String> elsewhere = new Browser().get(callback);
        assertEquals(403, elsewhere.statusCode(), elsewhere.body());
        assertTrue(elsewhere.body().contains("login_state_missing"), elsewhere.body());

        assertEquals(200, b.get(callback).statusCode());
        Browser again = new Browser();
        again.cookies.putAll(b.cookies);
        HttpResponse<String> replay = new Browser().get(callback);
        assertFalse(replay.statusCode() == 200, "a code is used once");
    }
}
