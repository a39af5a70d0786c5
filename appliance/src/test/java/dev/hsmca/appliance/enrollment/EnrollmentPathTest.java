package dev.hsmca.appliance.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.cli.Cli;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The whole path a new service walks, over real HTTPS with real openssl-made keys. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnrollmentPathTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    ApplicationContext context;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    static HttpResponse<String> withBearer(Api api, String token, Map<String, Object> body, int port) {
        return api.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/certificates"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(Api.json(body)))
                .build());
    }

    @Test
    void tokenEnrollRegisterRenewRevoke() throws Exception {
        Path dir = Files.createTempDirectory("service");
        Api admin = new Api(APP.adminSsl(), server.getPort());
        Api anonymous = new Api(APP.anonymousSsl(), server.getPort());

        // 1. The admin creates a one-time install token.
        HttpResponse<String> created = admin.postJson(
                "/api/v1/install-tokens",
                Map.of(
                        "service",
                        "billing",
                        "allowed_dns",
                        List.of("billing.internal", "localhost"),
                        "allowed_ips",
                        List.of("127.0.0.1"),
                        "profile",
                        "tls-server-client",
                        "ttl_seconds",
                        600,
                        "max_validity_days",
                        30));
        assertEquals(201, created.statusCode(), created.body());
        String token = (String) Api.parse(created).get("token");
        assertTrue(token.startsWith("hct_"), token);
        assertNotNull(Api.parse(created).get("expires_at"));

        // 2. The service makes its key and CSR with openssl and gets a certificate with the token.
        String csr = Openssl.keyAndCsr(dir, "v1", "billing.internal", "DNS:billing.internal,IP:127.0.0.1");
        HttpResponse<String> issued =
                withBearer(anonymous, token, Map.of("csr", csr, "validity_days", 30), server.getPort());
        assertEquals(201, issued.statusCode(), issued.body());
        Map<String, Object> v1 = Api.parse(issued);
        String v1Serial = (String) v1.get("serial");
        HttpResponse<String> again = withBearer(anonymous, token, Map.of("csr", csr), server.getPort());
        assertEquals(401, again.statusCode());
        assertEquals("token_used", Api.parse(again).get("error"));

        // 3. It registers itself over mTLS with that certificate.
        Api v1Client = new Api(
                Openssl.identity(APP, dir, "v1", (String) v1.get("certificate_pem"), (String) v1.get("chain_pem")),
                server.getPort());
        HttpResponse<String> reg = v1Client.postJson(
                "/api/v1/services",
                Map.of(
                        "service",
                        "billing",
                        "display_name",
                        "Billing",
                        "endpoints",
                        List.of("https://billing.internal:8443"),
                        "health_check_url",
                        "https://billing.internal:8443/health",
                        "metadata",
                        Map.of("team", "payments")));
        assertEquals(200, reg.statusCode(), reg.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> current = (Map<String, Object>)
                Api.parse(v1Client.get("/api/v1/services/billing")).get("current_certificate");
        assertEquals(v1Serial, current.get("serial"));

        // 4. It renews over mTLS with a new key: same identity.
        String csr2 = Openssl.keyAndCsr(dir, "v2", "billing.internal", "DNS:billing.internal");
        HttpResponse<String> renewed = v1Client.postJson("/api/v1/certificates/renew", Map.of("csr", csr2));
        assertEquals(201, renewed.statusCode(), renewed.body());
        Map<String, Object> v2 = Api.parse(renewed);
        String v2Serial = (String) v2.get("serial");
        assertNotEquals(v1Serial, v2Serial);
        Map<String, Object> v2View = Api.parse(admin.get("/api/v1/certificates/" + v2Serial));
        assertEquals("billing", v2View.get("service"));
        assertEquals("tls-server-client", v2View.get("profile"));
        assertEquals(List.of("billing.internal"), v2View.get("dns_names"));
        assertEquals(List.of("127.0.0.1"), v2View.get("ip_addresses"));

        // 5. With the new certificate, it revokes the old one.
        Api v2Client = new Api(
                Openssl.identity(APP, dir, "v2", (String) v2.get("certificate_pem"), (String) v2.get("chain_pem")),
                server.getPort());
        HttpResponse<String> revoked =
                v2Client.postJson("/api/v1/certificates/" + v1Serial + "/revoke", Map.of("reason", "superseded"));
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals("revoked", Api.parse(revoked).get("status"));
        assertEquals("superseded", Api.parse(revoked).get("revocation_reason"));
        HttpResponse<String> oldUse = v1Client.get("/api/v1/services/billing");
        assertEquals(403, oldUse.statusCode());
        assertEquals("certificate_revoked", Api.parse(oldUse).get("error"));

        // The registry and the history show it all.
        Map<String, Object> service = Api.parse(v2Client.get("/api/v1/services/billing"));
        @SuppressWarnings("unchecked")
        Map<String, Object> now = (Map<String, Object>) service.get("current_certificate");
        assertEquals(v2Serial, now.get("serial"));
        assertNotNull(service.get("last_renewal_at"));
        assertEquals(List.of("https://billing.internal:8443"), service.get("endpoints"));
        assertEquals(Map.of("team", "payments"), service.get("metadata"));
        @SuppressWarnings("unchecked")
        Set<String> history = ((List<Map<String, Object>>) Api.parse(admin.get("/api/v1/certificates?service=billing"))
                        .get("certificates"))
                .stream().map(c -> (String) c.get("serial")).collect(Collectors.toSet());
        assertEquals(Set.of(v1Serial, v2Serial), history);

        // Every step is in the audit log, and the chain verifies.
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>)
                Api.parse(admin.get("/api/v1/audit?limit=1000")).get("entries");
        Set<String> actions =
                entries.stream().map(e -> (String) e.get("action")).collect(Collectors.toSet());
        assertTrue(
                actions.containsAll(Set.of(
                        "ca.init",
                        "token.create",
                        "token.use",
                        "certificate.issue",
                        "service.register",
                        "certificate.renew",
                        "certificate.revoke")),
                actions.toString());
        StringWriter out = new StringWriter();
        assertEquals(
                0,
                Cli.run(
                        context,
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter(), true),
                        "audit",
                        "verify"));
        assertTrue(out.toString().contains("audit log intact"), out.toString());
    }
}
