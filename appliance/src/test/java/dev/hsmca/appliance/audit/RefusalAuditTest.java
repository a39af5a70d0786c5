package dev.hsmca.appliance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.store.AuditEntry;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Anonymous refused requests (no client certificate, a bad install token) write nothing durable of their own: they
 * are counted, and one aggregated audit entry per source is written when the window is flushed.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusalAuditTest implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.metrics.refresh-interval", "0s").initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    AuditLog audit;

    @Inject
    Refusals refusals;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    List<AuditEntry> denied() {
        return audit.search(Instant.EPOCH, null, 0, 10_000).stream()
                .filter(e -> AuditLog.DENIED.equals(e.outcome()))
                .toList();
    }

    @Test
    void refusalsAreCountedAndAuditedOncePerSource() {
        Api anonymous = new Api(APP.anonymousSsl(), server.getPort());
        List<AuditEntry> before = denied();
        for (int i = 0; i < 20; i++) {
            assertEquals(401, anonymous.get("/api/v1/certificates").statusCode());
        }
        for (int i = 0; i < 5; i++) {
            int status = anonymous
                    .send(HttpRequest.newBuilder(
                                    URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer not-a-token")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"csr\":\"x\"}"))
                            .build())
                    .statusCode();
            assertEquals(401, status);
        }
        assertEquals(before, denied(), "a refused anonymous request wrote a row of its own");

        assertEquals(1, refusals.flush());
        List<AuditEntry> after = denied();
        assertEquals(before.size() + 1, after.size());
        AuditEntry entry = after.get(after.size() - 1);
        assertEquals(Refusals.ACTION, entry.action());
        assertTrue(entry.actor().startsWith("anonymous@"), entry.actor());
        assertTrue(entry.details().contains("admin.login client_certificate_required=20"), entry.details());
        assertTrue(entry.details().contains("token.use token_invalid=5"), entry.details());

        String metrics =
                new Api(APP.adminSsl(), server.getPort()).get("/prometheus").body();
        assertTrue(metrics.contains("pki_auth_refusals_total{reason=\"client_certificate_required\"} 20.0"), metrics);
        assertTrue(
                metrics.contains("pki_auth_refusals_total{reason=\"certificate_revoked\"} 0.0"), "registered at start");
    }
}
