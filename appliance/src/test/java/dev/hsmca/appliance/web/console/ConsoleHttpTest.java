package dev.hsmca.appliance.web.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator console over HTTPS with the admin's client certificate (what a browser sends): pages, the session
 * cookie, forms with their token, and every refusal (no certificate, a non-admin one, a forged token, another site's
 * form, a form without the session). The browser itself is {@code ConsoleBrowserTest} (integration tests).
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleHttpTest implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.console.quiet-after", "2s").initialize();

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    URI uri(String path) {
        return URI.create("https://localhost:" + server.getPort() + path);
    }

    /** A service's enrollment with a token or an enrollment key (no client certificate). */
    HttpResponse<String> enroll(String bearer, String csr) {
        return new Api(APP.anonymousSsl(), server.getPort())
                .postJson("/api/v1/certificates", Map.of("csr", csr), bearer);
    }

    ConsoleClient admin() {
        return new ConsoleClient(new Api(APP.adminSsl(), server.getPort()), server.getPort());
    }

    String issue(String name, int days) {
        Path dir;
        try {
            dir = Files.createTempDirectory(APP.dir(), "console");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String csr = Openssl.keyAndCsr(dir, name, name, "DNS:" + name);
        HttpResponse<String> r = new Api(APP.adminSsl(), server.getPort())
                .postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", days));
        assertEquals(201, r.statusCode(), r.body());
        return (String) Api.parse(r).get("serial");
    }

    @Test
    void theOverviewIsTheAdminsWithASessionCookieAndAStrictPolicy() {
        ConsoleClient b = admin();
        HttpResponse<String> r = b.get("/ui/");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(r.body().contains("CA hierarchy") && r.body().contains("issuing"), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith(ConsoleSessions.COOKIE + "="), setCookie);
        for (String attribute : List.of("HTTPOnly", "Secure", "SameSite=Strict", "Path=/")) {
            assertTrue(setCookie.toLowerCase(Locale.ROOT).contains(attribute.toLowerCase(Locale.ROOT)), setCookie);
        }
        String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self'") && csp.contains("form-action 'self'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        assertFalse(r.body().contains("<script>"), "no inline script");
        assertFalse(r.body().contains(" style=\""), "no inline style");
        // the session is kept, not made again, within its life
        b.get("/ui/certificates");
        String kept = b.cookie;
        assertEquals(kept, setCookie.split(";", 2)[0]);
        assertEquals(200, b.get("/ui/static/console.css").statusCode());
    }

    @Test
    void withoutTheAdminsCertificateNothingIsShown() throws Exception {
        HttpResponse<String> anonymous = new Api(APP.anonymousSsl(), server.getPort()).get("/ui/");
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.body().contains("client_certificate_required"), anonymous.body());
        assertTrue(anonymous.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertFalse(anonymous.body().contains("CA hierarchy"));

        Path mon = APP.dir().resolve("monitoring");
        char[] pass = Files.readString(mon.resolve("monitoring.pass")).trim().toCharArray();
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(mon.resolve("monitoring.p12"))) {
            p12.load(in, pass);
        }
        Api monitoring = new Api(APP.sslContext(p12, pass), server.getPort());
        for (String path : List.of("/ui/", "/ui/certificates", "/ui/audit", "/ui/enrollment")) {
            HttpResponse<String> r = monitoring.get(path);
            assertEquals(403, r.statusCode(), path);
            assertTrue(r.body().contains("not_admin"), r.body());
        }
    }

    @Test
    void findRevokeAndEveryRefusalOfTheForm() {
        String serial = issue("findme.console.test", 30);
        ConsoleClient b = admin();
        HttpResponse<String> found = b.get("/ui/certificates?q=findme.console");
        assertEquals(200, found.statusCode(), found.body());
        assertTrue(found.body().contains(serial), found.body());
        assertFalse(b.get("/ui/certificates?q=nothing-like-it").body().contains(serial));
        assertTrue(b.get("/ui/certificates?q=" + serial.substring(0, 8)).body().contains(serial));

        String page = "/ui/certificates/" + serial;
        HttpResponse<String> detail = b.get(page);
        assertTrue(detail.body().contains("findme.console.test"), detail.body());
        HttpResponse<String> pem = b.get(page + "/pem");
        assertTrue(pem.body().startsWith("-----BEGIN CERTIFICATE-----"), pem.body());

        String token = b.csrf(page);
        String revoke = page + "/revoke";
        Map<String, String> form = new LinkedHashMap<>(Map.of("reason", "keyCompromise", "confirm", "yes"));

        form.put("csrf", token + "x");
        assertRefused(b.post(revoke, form), "csrf_token_invalid");
        form.put("csrf", token);
        // another site's Origin: on localhost the framework refuses it first (ConsoleSessionsTest checks ours)
        assertEquals(403, b.post(revoke, form, "Origin", "https://evil.example").statusCode());
        assertRefused(b.post(revoke, form, "Sec-Fetch-Site", "cross-site"), "cross_site_request");
        ConsoleClient noSession = admin(); // another site's form: SameSite=Strict keeps the cookie back
        assertRefused(noSession.post(revoke, form), "console_session_expired");
        form.remove("confirm");
        HttpResponse<String> unconfirmed = b.post(revoke, form);
        assertEquals(400, unconfirmed.statusCode(), unconfirmed.body());
        assertTrue(b.get(page).body().contains(">valid<"), "still valid after every refusal");

        form.put("confirm", "yes");
        HttpResponse<String> done = b.post(revoke, form, "Origin", "https://localhost:" + server.getPort());
        assertEquals(303, done.statusCode(), done.body());
        String after = b.get(page).body();
        assertTrue(after.contains("id=\"status\">revoked<"), after);
        assertTrue(after.contains("certificate.revoke"), "the audit entry is on the page");
    }

    /** The admin's browser sends its certificate to any page's request: the API refuses another site's. */
    @Test
    void theApiRefusesAnotherSitesRequestsMadeWithTheAdminsCertificate() {
        String serial = issue("crosssite.console.test", 30);
        Api api = new Api(APP.adminSsl(), server.getPort());
        HttpResponse<String> r = api.send(HttpRequest.newBuilder(uri("/api/v1/certificates/" + serial + "/revoke"))
                .header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "no-cors")
                .POST(HttpRequest.BodyPublishers.ofString(""))
                .build());
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("cross_site_request", Api.parse(r).get("error"));
        HttpResponse<String> image = admin().api
                .send(HttpRequest.newBuilder(uri("/ui/audit?actor=x"))
                        .header("Sec-Fetch-Site", "cross-site")
                        .header("Sec-Fetch-Mode", "no-cors")
                        .header("Sec-Fetch-Dest", "image")
                        .GET()
                        .build());
        assertEquals(403, image.statusCode());
        assertEquals(
                "valid", Api.parse(api.get("/api/v1/certificates/" + serial)).get("status"));
    }

    private static void assertRefused(HttpResponse<String> r, String code) {
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains(code), r.body());
    }

    @Test
    void aTokenMadeInTheConsoleIsShownOnceAndEnrolls() throws Exception {
        ConsoleClient b = admin();
        String csrf = b.csrf("/ui/enrollment");
        HttpResponse<String> made = b.post(
                "/ui/enrollment/tokens",
                Map.of(
                        "csrf",
                        csrf,
                        "service",
                        "consoletok",
                        "allowed_dns",
                        "tok.console.test",
                        "ttl_days",
                        "1",
                        "profile",
                        "tls-server"));
        assertEquals(200, made.statusCode(), made.body());
        Matcher m = Pattern.compile("id=\"token-value\">([^<]+)<").matcher(made.body());
        assertTrue(m.find(), made.body());
        String token = m.group(1);
        assertFalse(b.get("/ui/enrollment").body().contains(token), "shown once");

        Path dir = Files.createTempDirectory(APP.dir(), "tok");
        String csr = Openssl.keyAndCsr(dir, "tok", "tok.console.test", "DNS:tok.console.test");
        HttpResponse<String> issued = enroll(token, csr);
        assertEquals(201, issued.statusCode(), issued.body());
        String serial = (String) Api.parse(issued).get("serial");
        assertTrue(b.get("/ui/enrollment").body().contains(serial), "the token's use is listed");
    }

    @Test
    void anEnrollmentKeyMadeInTheConsoleIsShownOnceAndEnrolls() throws Exception {
        ConsoleClient b = admin();
        String csrf = b.csrf("/ui/enrollment");
        HttpResponse<String> made = b.post(
                "/ui/enrollment/enroll-keys",
                Map.of(
                        "csrf",
                        csrf,
                        "service",
                        "fleet",
                        "allowed_dns",
                        "*.fleet.console.test",
                        "profile",
                        "tls-server",
                        "max_uses",
                        "5"));
        assertEquals(200, made.statusCode(), made.body());
        Matcher m = Pattern.compile("id=\"key-value\">([^<]+)<").matcher(made.body());
        assertTrue(m.find(), made.body());
        String key = m.group(1);
        assertFalse(b.get("/ui/enrollment").body().contains(key), "shown once");
        Path dir = Files.createTempDirectory(APP.dir(), "key");
        String csr = Openssl.keyAndCsr(dir, "k", "a.fleet.console.test", "DNS:a.fleet.console.test");
        HttpResponse<String> issued = enroll(key, csr);
        assertEquals(201, issued.statusCode(), issued.body());
        assertEquals(
                400,
                b.post("/ui/enrollment/enroll-keys", Map.of("csrf", csrf, "service", "fleet", "max_uses", "x"))
                        .statusCode());
    }

    @Test
    void anExpiringCertificateAndAQuietServiceAreFlagged() throws Exception {
        issue("soon.console.test", 5);
        ConsoleClient b = admin();
        String overview = b.get("/ui/").body();
        assertTrue(overview.contains("id=\"expiring-7\""), overview);

        // a service with a certificate, registered and then never seen again (quiet after 2 s here)
        String csrf = b.csrf("/ui/enrollment");
        String page = b.post(
                        "/ui/enrollment/tokens",
                        Map.of(
                                "csrf",
                                csrf,
                                "service",
                                "quietsvc",
                                "allowed_dns",
                                "quiet.console.test",
                                "profile",
                                "tls-server-client"))
                .body();
        Matcher m = Pattern.compile("id=\"token-value\">([^<]+)<").matcher(page);
        assertTrue(m.find(), page);
        Path dir = Files.createTempDirectory(APP.dir(), "quiet");
        String csr = Openssl.keyAndCsr(dir, "quiet", "quiet.console.test", "DNS:quiet.console.test");
        HttpResponse<String> issued = enroll(m.group(1), csr);
        assertEquals(201, issued.statusCode(), issued.body());
        Map<String, Object> cert = Api.parse(issued);
        Api holder = new Api(
                Openssl.identity(
                        APP, dir, "quiet", (String) cert.get("certificate_pem"), (String) cert.get("chain_pem")),
                server.getPort());
        HttpResponse<String> reg = holder.postJson(
                "/api/v1/services",
                Map.of("service", "quietsvc", "display_name", "Quiet", "endpoints", List.of("https://quiet:1")));
        assertEquals(200, reg.statusCode(), reg.body());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = b.get("/ui/").body();
            if (body.contains("/ui/services/quietsvc")) {
                break;
            }
            Thread.sleep(250);
        }
        assertTrue(body.contains("/ui/services/quietsvc") && body.contains("has gone quiet"), body);
        assertTrue(b.get("/ui/services").body().contains("quietsvc"));
        assertTrue(b.get("/ui/services/quietsvc").body().contains((String) cert.get("serial")));
    }

    /** As a browser sends it: HTTP/2, Origin and Sec-Fetch-Site of the console's own page. */
    @Test
    void aFormOverHttp2FromTheConsolesOwnPage() throws Exception {
        ConsoleClient b = admin();
        String csrf = b.csrf("/ui/audit");
        java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder()
                .sslContext(APP.adminSsl())
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();
        HttpResponse<String> r = h2.send(
                HttpRequest.newBuilder(uri("/ui/audit/verify"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", b.cookie)
                        .header("Origin", "https://localhost:" + server.getPort())
                        .header("Sec-Fetch-Site", "same-origin")
                        .POST(HttpRequest.BodyPublishers.ofString(ConsoleClient.encode(Map.of("csrf", csrf))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.version() + " " + r.headers().map() + " " + r.body());
        assertTrue(r.body().contains("The chain is intact"), r.body());
    }

    @Test
    void theAuditTailAndItsVerification() {
        ConsoleClient b = admin();
        HttpResponse<String> tail = b.get("/ui/audit?action=ca.init");
        assertEquals(200, tail.statusCode(), tail.body());
        assertTrue(tail.body().contains("ca.init"), tail.body());
        String csrf = b.csrf("/ui/audit");
        HttpResponse<String> verified = b.post("/ui/audit/verify", Map.of("csrf", csrf));
        assertEquals(200, verified.statusCode(), verified.body());
        assertTrue(verified.body().contains("The chain is intact"), verified.body());
    }

    @Test
    void badInputIsAClearRefusal() {
        ConsoleClient b = admin();
        assertEquals(400, b.get("/ui/certificates?status=sideways").statusCode());
        assertEquals(400, b.get("/ui/certificates?after=nonsense").statusCode());
        assertEquals(400, b.get("/ui/certificates/not-hex").statusCode());
        assertEquals(404, b.get("/ui/certificates/abcdef0123").statusCode());
        String csrf = b.csrf("/ui/enrollment");
        Map<String, String> many = new LinkedHashMap<>();
        many.put("csrf", csrf);
        for (int i = 0; i < 40; i++) {
            many.put("f" + i, "x");
        }
        assertEquals(400, b.post("/ui/enrollment/tokens", many).statusCode());
        HttpResponse<String> noService =
                b.post("/ui/enrollment/tokens", Map.of("csrf", csrf, "allowed_dns", "x.console.test"));
        assertEquals(400, noService.statusCode(), noService.body());
        assertFalse(noService.body().contains("Exception"), noService.body());
    }
}
