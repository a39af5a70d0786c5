package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.store.EnrollKeyRepository;
import dev.hsmca.appliance.store.InstallTokenRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The appliance trusting a real Keycloak: a user of the admin group creates install tokens for any service, one of
 * the enroller group for {@code agent-*} only (403 {@code not_allowed} for {@code billing}, nothing written), the
 * backend's own client-credentials token creates enrollment keys for its services, an ID token (another audience) is
 * refused, and a signing key rotated in Keycloak is picked up. The seed integration's request
 * ({@code service_name}, {@code service_type}, {@code controller_name}; ../shared/seeds/004) works as written.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakOidcTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();
    static final KeycloakProcess KEYCLOAK = start();

    @Inject
    EmbeddedServer server;

    @Inject
    InstallTokenRepository installTokens;

    @Inject
    EnrollKeyRepository enrollKeys;

    @Inject
    AuditLog audit;

    Api anonymous;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.oidc.issuers.keycloak.issuer", KEYCLOAK.issuer());
        p.put("pki.oidc.issuers.keycloak.audience", "pki-appliance");
        p.put("pki.oidc.issuers.keycloak.keys-refresh", "1s"); // the rotation below may follow an unknown-kid fetch
        rule(p, "admins", "groups", "pki-admins", "admin", null, null);
        // the console's sign-in: the client pki-appliance (authorization code with PKCE), whose ID tokens are for it
        p.put("pki.console.oidc.issuer", "keycloak");
        p.put("pki.console.oidc.client-id", "pki-appliance");
        rule(p, "enrollers", "groups", "pki-enrollers", "install-tokens", "agent-*", null);
        rule(p, "backend", "azp", "backend-svc", "install-tokens,enroll-keys", "agent-*", "*.agents.example");
        return p;
    }

    private static void rule(
            Map<String, String> p,
            String name,
            String claim,
            String value,
            String grants,
            String services,
            String dns) {
        String at = "pki.oidc.rules." + name + ".";
        p.put(at + "issuer", "keycloak");
        p.put(at + "claim", claim);
        p.put(at + "value", value);
        p.put(at + "grants", grants);
        if (services != null) {
            p.put(at + "services", services);
        }
        if (dns != null) {
            p.put(at + "dns", dns);
        }
    }

    @BeforeAll
    void setUp() {
        anonymous = new Api(APP.anonymousSsl(), server.getPort());
    }

    /** Keycloak's own login page in Debian's headless Chromium (no client certificate), back to the console. */
    @Test
    void anAdministratorSignsInToTheConsoleAtKeycloakAndAnEnrollerDoesNot() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "kc-browser");
        try (Chromium browser = Chromium.start(dir, null, null)) {
            ChromeDriver d = browser.driver();
            signIn(d, "alice", "alice-pw");
            new WebDriverWait(d, Duration.ofSeconds(60)).until(ExpectedConditions.titleContains("Overview"));
            String who = d.findElement(By.cssSelector(".who strong")).getText();
            assertTrue(who.startsWith("oidc:keycloak:") && who.endsWith("/alice"), who);
            d.get("https://localhost:" + server.getPort() + "/ui/certificates");
            assertTrue(d.getTitle().startsWith("Certificates"), d.getTitle());
        }
        try (Chromium browser = Chromium.start(dir, null, null)) {
            ChromeDriver d = browser.driver();
            signIn(d, "bob", "bob-pw");
            new WebDriverWait(d, Duration.ofSeconds(60))
                    .until(ExpectedConditions.presenceOfElementLocated(By.id("error-code")));
            assertEquals("not_admin", d.findElement(By.id("error-code")).getText());
            d.get("https://localhost:" + server.getPort() + "/ui/");
            assertEquals(
                    "client_certificate_required",
                    d.findElement(By.id("error-code")).getText());
        }
    }

    private void signIn(ChromeDriver d, String user, String password) {
        d.get("https://localhost:" + server.getPort() + "/ui/login");
        d.findElement(By.id("oidc-login")).click();
        new WebDriverWait(d, Duration.ofSeconds(60))
                .until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        d.findElement(By.id("username")).sendKeys(user);
        d.findElement(By.id("password")).sendKeys(password);
        d.findElement(By.id("kc-login")).click();
    }

    @AfterAll
    void stop() throws Exception {
        KEYCLOAK.close();
    }

    @Test
    void anAdminCreatesForAnyServiceAndIsAuditedAsItself() throws Exception {
        String alice = KEYCLOAK.userToken("alice");
        HttpResponse<String> r = post(alice, "/api/v1/install-tokens", seedRequest("billing"));
        assertEquals(201, r.statusCode(), r.body());
        Map<String, Object> created = Api.parse(r);
        assertTrue(String.valueOf(created.get("install_token")).startsWith("hct_"), r.body());
        String id = (String) created.get("id");
        String actor = installTokens.findById(id).orElseThrow().createdBy();
        assertTrue(actor.startsWith("oidc:keycloak:") && actor.endsWith("/alice"), actor);
        assertTrue(audit.search(Instant.EPOCH, "token.create", 0, 10_000).stream()
                .anyMatch(e -> e.actor().equals(actor) && e.subject().equals("token:" + id)));
    }

    @Test
    void anEnrollerCreatesForItsServicesOnly() throws Exception {
        String bob = KEYCLOAK.userToken("bob");
        assertEquals(
                201, post(bob, "/api/v1/install-tokens", seedRequest("agent-x")).statusCode());
        long tokens = installTokens.count();
        HttpResponse<String> refused = post(bob, "/api/v1/install-tokens", seedRequest("billing"));
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("not_allowed", Api.parse(refused).get("error"));
        // install tokens only: no enrollment keys, no other admin endpoint
        assertEquals(
                403,
                post(
                                bob,
                                "/api/v1/enroll-keys",
                                Map.of("service", "agent-x", "allowed_dns", List.of("x.agents.example")))
                        .statusCode());
        assertEquals(403, get(bob, "/api/v1/install-tokens").statusCode());
        assertEquals(tokens, installTokens.count(), "a refused request wrote a token");
    }

    @Test
    void theBackendsOwnTokenCreatesEnrollmentKeysForItsServices() throws Exception {
        String backend = KEYCLOAK.serviceToken();
        HttpResponse<String> key = post(
                backend,
                "/api/v1/enroll-keys",
                Map.of("service", "agent-fleet", "allowed_dns", List.of("*.agents.example"), "max_uses", 10));
        assertEquals(201, key.statusCode(), key.body());
        long keys = enrollKeys.count();
        assertEquals(
                403,
                post(
                                backend,
                                "/api/v1/enroll-keys",
                                Map.of("service", "agent-fleet", "allowed_dns", List.of("bank.example")))
                        .statusCode());
        assertEquals(keys, enrollKeys.count());
    }

    @Test
    void anIdTokenIsForAnotherAudience() throws Exception {
        HttpResponse<String> r = post(KEYCLOAK.idToken("alice"), "/api/v1/install-tokens", seedRequest("agent-i"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("wrong_audience", Api.parse(r).get("error"));
    }

    @Test
    void aSigningKeyRotatedInKeycloakIsPickedUp() throws Exception {
        String before = KEYCLOAK.userToken("alice");
        assertEquals(
                201,
                post(before, "/api/v1/install-tokens", seedRequest("agent-r")).statusCode());
        KEYCLOAK.rotateSigningKey();
        String after = KEYCLOAK.userToken("alice");
        assertNotEquals(kid(before), kid(after), "Keycloak signs with the new key");
        // the new kid is fetched at most once a second (keys-refresh): poll; a hang is the failure
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        HttpResponse<String> r = post(after, "/api/v1/install-tokens", seedRequest("agent-r"));
        while (r.statusCode() == 401 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = post(after, "/api/v1/install-tokens", seedRequest("agent-r"));
        }
        assertEquals(201, r.statusCode(), r.body());
    }

    /** The request of the integration notes (../shared/seeds/004), as a backend sends it. */
    private static Map<String, Object> seedRequest(String service) {
        return Map.of("service_name", service, "service_type", "agent", "controller_name", "controller-1");
    }

    private static String kid(String jwt) throws Exception {
        return SignedJWT.parse(jwt).getHeader().getKeyID();
    }

    private HttpResponse<String> post(String jwt, String path, Map<String, Object> body) {
        return anonymous.postJson(path, body, jwt);
    }

    private HttpResponse<String> get(String jwt, String path) {
        return anonymous.get(path, jwt);
    }

    private static KeycloakProcess start() {
        try {
            return KeycloakProcess.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
