package dev.hsmca.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.metrics.StoreGauges;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Csrs;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The calls the integration notes (../shared/seeds) make, as they make them: install tokens in their words, a
 * 365-day certificate from a default token, nested metadata and wss:// endpoints in the registry, last_seen from an
 * agent's poll, and a misspelt field refused instead of ignored.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntegrationNotesHttpTest implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.metrics.refresh-interval", "0s").initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    StoreGauges gauges;

    Api admin;
    Api anonymous;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @BeforeAll
    void setUp() {
        admin = new Api(APP.adminSsl(), server.getPort());
        anonymous = new Api(APP.anonymousSsl(), server.getPort());
    }

    @Test
    void anAgentsInstallTokenInTheNotesWords() {
        HttpResponse<String> r = admin.postJson(
                "/api/v1/install-tokens",
                Map.of("service_name", "my-agent-name", "service_type", "agent", "controller_name", "my-controller"));
        assertEquals(201, r.statusCode(), r.body());
        Map<String, Object> token = Api.parse(r);
        assertEquals(token.get("token"), token.get("install_token"));
        assertEquals("my-agent-name", token.get("service"));
        assertEquals("tls-client", token.get("profile"));
        assertEquals(List.of("agent-my-agent-name"), token.get("allowed_cn"));
        assertEquals("my-controller", token.get("label"));

        // the note's CSR: /C=US/O=KubeAtlas/CN=agent-NAME
        HttpResponse<String> issued = enroll(
                (String) token.get("install_token"),
                Csrs.withSubject(
                                new X500Name("C=US,O=KubeAtlas,CN=agent-my-agent-name"),
                                List.of(),
                                List.of(),
                                List.of())
                        .pem(),
                null);
        assertEquals(201, issued.statusCode(), issued.body());
        X509Certificate cert = Csrs.certificate((String) Api.parse(issued).get("certificate_pem"));
        assertEquals("CN=agent-my-agent-name", cert.getSubjectX500Principal().getName());

        assertError(
                admin.postJson("/api/v1/install-tokens", Map.of("service_name", "x", "service_type", "robot")),
                400,
                "invalid_service_type");
    }

    @Test
    void aDefaultTokenAllowsTheProfilesMaximumAs365DaysInTheNotes() {
        HttpResponse<String> r = admin.postJson(
                "/api/v1/install-tokens",
                Map.of("service", "year", "allowed_dns", List.of("year.internal"), "profile", "tls-server-client"));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(397, ((Number) Api.parse(r).get("max_validity_days")).intValue());
        HttpResponse<String> issued = enroll(
                (String) Api.parse(r).get("token"),
                Csrs.of("year.internal", List.of(), List.of(), List.of()).pem(),
                365);
        assertEquals(201, issued.statusCode(), issued.body());
    }

    @Test
    void anUnknownFieldIsRefusedByName() {
        HttpResponse<String> r = admin.postJson(
                "/api/v1/install-tokens",
                Map.of("service", "typo", "allowed_dns", List.of("typo.internal"), "max_validity_dayz", 1));
        assertError(r, 400, "unknown_field");
        assertTrue(String.valueOf(Api.parse(r).get("message")).contains("max_validity_dayz"), r.body());
        assertError(
                admin.postJson("/api/v1/certificates", Map.of("csr", "x", "profil", "tls-server")),
                400,
                "unknown_field");
    }

    @Test
    void theRegistryTakesTheNotesMetadataAndWebSocketsAndSeesPolls() {
        Csrs.Csr key = Csrs.of("ws.internal", List.of(), List.of(), List.of());
        HttpResponse<String> issued = admin.postJson(
                "/api/v1/certificates", Map.of("csr", key.pem(), "profile", "tls-server-client", "service", "covina"));
        assertEquals(201, issued.statusCode(), issued.body());
        Api holder = new Api(
                key.identity(APP, (String) Api.parse(issued).get("certificate_pem"), (String)
                        Api.parse(issued).get("chain_pem")),
                server.getPort());
        Map<String, Object> metadata = Map.of("version", "3.4.4", "workers", Map.of("io", 36, "cpu", List.of(1, 2)));
        HttpResponse<String> registered = holder.postJson(
                "/api/v1/services",
                Map.of(
                        "service",
                        "covina",
                        "service_name",
                        "Covina Ingestion Backend",
                        "endpoints",
                        List.of("wss://covina.vcc.local:45679/ws/jobs"),
                        "metadata",
                        metadata));
        assertEquals(200, registered.statusCode(), registered.body());
        Map<String, Object> view = Api.parse(registered);
        assertEquals("Covina Ingestion Backend", view.get("display_name"));
        assertEquals(metadata, view.get("metadata"));
        assertEquals(null, view.get("last_seen"));

        Instant before = Instant.now().minusSeconds(1);
        assertEquals(200, holder.get("/api/v1/certificates/current").statusCode());
        Map<String, Object> seen = Api.parse(admin.get("/api/v1/services/covina"));
        assertNotNull(seen.get("last_seen"), seen.toString());
        assertTrue(Instant.parse((String) seen.get("last_seen")).isAfter(before));
        gauges.refresh();
        String metrics = admin.get("/prometheus").body();
        assertTrue(metrics.contains("pki_service_last_seen_timestamp_seconds{service=\"covina\"}"), metrics);

        assertError(
                holder.postJson("/api/v1/services", Map.of("service", "covina", "endpoints", List.of("ftp://x.y"))),
                400,
                "invalid_endpoints");
        assertError(
                holder.postJson("/api/v1/services", Map.of("service", "covina", "metadata", nested(12))),
                400,
                "invalid_metadata");
    }

    private static Map<String, Object> nested(int depth) {
        Map<String, Object> m = Map.of("leaf", "x");
        for (int i = 0; i < depth; i++) {
            m = Map.of("n", m);
        }
        return m;
    }

    private HttpResponse<String> enroll(String token, String csr, Integer validityDays) {
        String body = validityDays == null
                ? Api.json(Map.of("csr", csr))
                : Api.json(Map.of("csr", csr, "validity_days", validityDays));
        return anonymous.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, Api.parse(r).get("error"), r.body());
    }
}
