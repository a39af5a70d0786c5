package dev.hsmca.appliance.certificates;

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
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Short lifetimes ({@code validity: "10m"}), the renewal window a holder reads at /api/v1/certificates/current
 * (a cheap 304 while unchanged), the admin moving it to now, and the bundle alias.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenewalWindowHttpTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void shortLivedCertificatesAndTheirWindow() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "window");
        Api admin = new Api(APP.adminSsl(), server.getPort());
        String csr = Openssl.keyAndCsr(dir, "svc", "svc.example.test", "DNS:svc.example.test");

        for (var bad : Map.of(
                        "4m", "validity_too_short", "398d", "validity_too_long", "ten minutes", "invalid_validity")
                .entrySet()) {
            HttpResponse<String> r = admin.postJson(
                    "/api/v1/certificates",
                    Map.of("csr", csr, "profile", "tls-server", "service", "svc", "validity", bad.getKey()));
            assertEquals(400, r.statusCode(), r.body());
            assertEquals(bad.getValue(), Api.parse(r).get("error"));
        }
        HttpResponse<String> both = admin.postJson(
                "/api/v1/certificates",
                Map.of("csr", csr, "profile", "tls-server", "validity", "10m", "validity_days", 1));
        assertEquals("invalid_validity", Api.parse(both).get("error"));

        HttpResponse<String> issued = admin.postJson(
                "/api/v1/certificates",
                Map.of("csr", csr, "profile", "tls-server", "service", "svc", "validity", "10m"));
        assertEquals(201, issued.statusCode(), issued.body());
        Instant notBefore = Instant.parse((String) Api.parse(issued).get("not_before"));
        Instant notAfter = Instant.parse((String) Api.parse(issued).get("not_after"));
        assertTrue(
                Duration.between(Instant.now(), notAfter).compareTo(Duration.ofMinutes(11)) < 0,
                "ten minutes from now");
        assertTrue(
                Duration.between(notBefore, Instant.now()).compareTo(Duration.ofMinutes(3)) < 0, "backdated a little");

        Api holder = new Api(
                Openssl.identity(APP, dir, "svc", (String) Api.parse(issued).get("certificate_pem"), (String)
                        Api.parse(issued).get("chain_pem")),
                server.getPort());
        HttpResponse<String> current = holder.get("/api/v1/certificates/current");
        assertEquals(200, current.statusCode(), current.body());
        Map<String, Object> c = Api.parse(current);
        assertEquals(Api.parse(issued).get("serial"), c.get("serial"));
        Instant renewAfter = Instant.parse((String) c.get("renew_after"));
        Duration life = Duration.between(notBefore, notAfter);
        assertEquals(notBefore.plus(life.multipliedBy(2).dividedBy(3)), renewAfter, "two thirds of the lifetime");
        assertEquals(false, c.get("renew_now"));
        String etag = current.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> unchanged = holder.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates/current"))
                .header("If-None-Match", etag)
                .GET()
                .build());
        assertEquals(304, unchanged.statusCode());

        HttpResponse<String> moved = admin.postJson("/api/v1/certificates/renew-early", Map.of("service", "svc"));
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals(1L, ((Number) Api.parse(moved).get("certificates")).longValue());
        HttpResponse<String> now = holder.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates/current"))
                .header("If-None-Match", etag)
                .GET()
                .build());
        assertEquals(200, now.statusCode(), "the window changed, so the poll gets it");
        assertEquals(true, Api.parse(now).get("renew_now"));
        assertTrue(Instant.parse((String) Api.parse(now).get("renew_after")).isBefore(renewAfter));

        assertEquals(
                400,
                admin.postJson("/api/v1/certificates/renew-early", Map.of()).statusCode());
        assertEquals(
                403,
                holder.postJson("/api/v1/certificates/renew-early", Map.of("all", true))
                        .statusCode());
        HttpResponse<String> anonymous =
                new Api(APP.anonymousSsl(), server.getPort()).get("/api/v1/certificates/current");
        assertEquals(401, anonymous.statusCode());
        HttpResponse<String> bundle = new Api(APP.anonymousSsl(), server.getPort()).get("/api/ca/bundle");
        assertEquals(200, bundle.statusCode());
        assertEquals(
                new Api(APP.anonymousSsl(), server.getPort())
                        .get("/api/v1/ca/chain")
                        .body(),
                bundle.body());
        assertFalse(bundle.body().isBlank());
    }
}
