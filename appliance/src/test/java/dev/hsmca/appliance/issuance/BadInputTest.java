package dev.hsmca.appliance.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of bad request gets a 4xx with {"error","message"}, and nothing is stored. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    @Inject
    DataSource dataSource;

    Api admin;

    private DataSource rawDataSource() {
        return DelegatingDataSource.unwrapDataSource(dataSource);
    }

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @BeforeAll
    void client() {
        admin = new Api(APP.adminSsl(), server.getPort());
    }

    private void assertRefused(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                r.headers().toString());
        Map<String, Object> body = Api.parse(r);
        assertEquals(code, body.get("error"), r.body());
        assertTrue(body.get("message") instanceof String m && !m.isBlank(), r.body());
        assertFalse(r.body().contains("\tat ") || r.body().contains("Exception"), "no stack trace: " + r.body());
    }

    @ParameterizedTest(name = "{0} → {2}")
    @CsvSource({
        "csr/rsa-1024.csr, tls-server, weak_key",
        "csr/ec-p521.csr, tls-server, weak_key",
        "csr/bad-signature.csr, tls-server, csr_signature_invalid",
        "csr/bad-san.csr, tls-server, invalid_san",
        "csr/email-san.csr, tls-server, unsupported_san",
        "csr/ec-p256.csr, no-such-profile, unknown_profile",
        "csr/ec-p256.csr, admin, unknown_profile"
    })
    void refusesBadCsrsAndProfiles(String fixture, String profile, String code) {
        long before = certificates.count();
        assertRefused(
                admin.postJson("/api/v1/certificates", Api.issueBody(Api.resource(fixture), profile, null)), 400, code);
        assertEquals(before, certificates.count(), "nothing stored");
    }

    @Test
    void refusesMalformedPemAndMissingFields() {
        long before = certificates.count();
        assertRefused(
                admin.postJson("/api/v1/certificates", Api.issueBody("""
                -----BEGIN CERTIFICATE REQUEST-----
                not base64!
                -----END CERTIFICATE REQUEST-----
                """, "tls-server", null)), 400, "invalid_csr");
        assertRefused(
                admin.postJson("/api/v1/certificates", Api.issueBody("just text", "tls-server", null)),
                400,
                "invalid_csr");
        assertRefused(admin.postJson("/api/v1/certificates", Map.of("profile", "tls-server")), 400, "missing_csr");
        assertRefused(
                admin.postJson("/api/v1/certificates", Map.of("csr", Api.resource("csr/ec-p256.csr"))),
                400,
                "missing_profile");
        assertEquals(before, certificates.count());
    }

    @Test
    void refusesValidityOutsideTheProfile() {
        String csr = Api.resource("csr/ec-p256.csr");
        assertRefused(
                admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 398)),
                400,
                "validity_too_long");
        assertRefused(
                admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 0)), 400, "invalid_validity");
        assertRefused(
                admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", -5)), 400, "invalid_validity");
        assertRefused(
                admin.post(
                        "/api/v1/certificates",
                        "application/json",
                        "{\"csr\": \"x\", \"profile\": \"tls-server\", \"validity_days\": \"ninety\"}"),
                400,
                "bad_request");
    }

    @Test
    void refusesWrongContentTypeBadJsonAndOversizedBodies() {
        String csr = Api.resource("csr/ec-p256.csr");
        assertRefused(admin.post("/api/v1/certificates", "text/plain", csr), 415, "unsupported_media_type");
        assertRefused(admin.post("/api/v1/certificates", "application/json", "{\"csr\": "), 400, "bad_request");
        assertRefused(admin.post("/api/v1/certificates", "application/json", ""), 400, "bad_request");
        String huge = "{\"csr\": \"" + "A".repeat(70 * 1024) + "\", \"profile\": \"tls-server\"}";
        assertRefused(admin.post("/api/v1/certificates", "application/json", huge), 413, "body_too_large");
        // Just under the body limit but over the CSR limit: refused by the CSR check.
        String big = "{\"csr\": \"" + "A".repeat(40 * 1024) + "\", \"profile\": \"tls-server\"}";
        assertRefused(admin.post("/api/v1/certificates", "application/json", big), 400, "csr_too_large");
    }

    @Test
    void refusesBadQueriesAndUnknownRoutes() {
        assertRefused(admin.get("/api/v1/certificates/not-hex"), 400, "invalid_serial");
        assertRefused(admin.get("/api/v1/certificates/" + "a".repeat(41)), 400, "invalid_serial");
        assertRefused(admin.get("/api/v1/certificates/abcdef"), 404, "certificate_not_found");
        assertRefused(admin.get("/api/v1/certificates?status=bogus"), 400, "invalid_status");
        assertRefused(admin.get("/api/v1/certificates?limit=0"), 400, "invalid_limit");
        assertRefused(admin.get("/api/v1/certificates?limit=501"), 400, "invalid_limit");
        assertRefused(admin.get("/api/v1/certificates?cursor=%21%21"), 400, "invalid_cursor");
        assertRefused(admin.get("/api/v1/certificates?expiring_within_days=-1"), 400, "invalid_expiring_within_days");
        assertRefused(admin.get("/api/v1/nothing-here"), 404, "not_found");
        assertRefused(
                admin.send(
                        HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/ca/chain"))
                                .DELETE()
                                .build()),
                405,
                "method_not_allowed");
    }

    private void sql(String statement) throws Exception {
        try (Connection c = rawDataSource().getConnection();
                var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void whenStoringFailsTheClientGetsAnErrorNotACertificate() throws Exception {
        long before = certificates.count();
        sql("ALTER TABLE certificates ADD CONSTRAINT refuse_new CHECK (profile <> 'tls-server-client')");
        try {
            HttpResponse<String> r = admin.postJson(
                    "/api/v1/certificates", Api.issueBody(Api.resource("csr/rsa-2048.csr"), "tls-server-client", null));
            assertRefused(r, 503, "store_unavailable");
            assertFalse(r.body().contains("BEGIN CERTIFICATE"));
        } finally {
            sql("ALTER TABLE certificates DROP CONSTRAINT refuse_new");
        }
        assertEquals(before, certificates.count());
        HttpResponse<String> again = admin.postJson(
                "/api/v1/certificates", Api.issueBody(Api.resource("csr/rsa-2048.csr"), "tls-server-client", null));
        assertEquals(201, again.statusCode(), again.body());
    }

    @Test
    void whenTheStoreIsGoneRequestsGet503() throws Exception {
        sql("ALTER TABLE certificates RENAME TO certificates_away");
        try {
            assertRefused(
                    admin.postJson(
                            "/api/v1/certificates", Api.issueBody(Api.resource("csr/ec-p256.csr"), "tls-server", null)),
                    503,
                    "store_unavailable");
        } finally {
            sql("ALTER TABLE certificates_away RENAME TO certificates");
        }
        assertEquals(200, admin.get("/api/v1/certificates").statusCode());
    }
}
