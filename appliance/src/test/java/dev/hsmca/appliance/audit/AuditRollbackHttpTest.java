package dev.hsmca.appliance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Once the guard has found the store rolled back, every issuance path (REST issue and renew, ACME finalize) answers
 * 503 {@code audit_rollback} with Retry-After, and {@code pki_audit_rollback} is 1; nothing else is refused.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditRollbackHttpTest implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.metrics.refresh-interval", "0s").initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    AuditGuard guard;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void issuanceStopsWithA503OnEveryPath() throws Exception {
        Api admin = new Api(APP.adminSsl(), server.getPort());
        Path dir = Files.createTempDirectory("rollback");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        HttpResponse<String> before = admin.postJson(
                "/api/v1/certificates",
                Map.of("csr", csr, "profile", "tls-server-client", "validity_days", 30, "service", "leaf"));
        assertEquals(201, before.statusCode(), before.body());
        Api holder = new Api(
                Openssl.identity(APP, dir, "leaf", (String) Api.parse(before).get("certificate_pem"), (String)
                        Api.parse(before).get("chain_pem")),
                server.getPort());
        assertTrue(metric(admin).contains("pki_audit_rollback 0.0"), "registered at start");

        assertTrue(guard.stop("ROLLBACK: test"));

        HttpResponse<String> issue = admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30));
        refused(issue);
        refused(holder.postJson("/api/v1/certificates/renew", Map.of("csr", csr)));
        HttpResponse<String> acme = admin.post("/acme/order/any/finalize", "application/jose+json", "{}");
        assertEquals(503, acme.statusCode(), acme.body());
        assertEquals("5", acme.headers().firstValue("Retry-After").orElse(null));
        assertTrue(acme.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertTrue(acme.body().contains("serverInternal"), acme.body());

        assertTrue(metric(admin).contains("pki_audit_rollback 1.0"), metric(admin));
        assertTrue(
                metric(admin).contains("pki_issuance_errors_total{reason=\"audit_rollback\"}"),
                "counted as a refused issuance");
        assertEquals(200, admin.get("/api/v1/certificates").statusCode(), "reading is not stopped");
    }

    static void refused(HttpResponse<String> r) {
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("audit_rollback", Api.parse(r).get("error"));
        assertEquals("5", r.headers().firstValue("Retry-After").orElse(null));
    }

    static String metric(Api admin) {
        return admin.get("/prometheus").body();
    }
}
