package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.appliance.testing.TestDatabases;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PostgreSQL stops while 8 clients issue: requests get 503 {@code store_unavailable} with Retry-After while it is
 * still down (no stack trace, nothing half-written: every stored certificate has its audit entry and its pre-signed
 * OCSP responses, and every 201 is stored); when the database is back, issuance resumes without a restart.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreDownTest implements TestPropertyProvider {
    static final Path PG_DIR = Pg.dir();
    static final String PG_ADMIN = Pg.start(PG_DIR);
    static final TestAppliance APP =
            TestAppliance.postgres(TestDatabases.freshPostgres(PG_ADMIN)).initialize();

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @AfterAll
    void stop() {
        Pg.stop(PG_DIR);
    }

    @Test
    void issuanceWaitsOutTheDatabase() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "storedown");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        Api admin = new Api(APP.adminSsl(), server.getPort());
        Set<String> told;
        try (Load load = Load.start(APP.adminSsl(), server.getPort(), csr, 8)) {
            assertTrue(load.awaitIssued(30, Load.STALL));
            Pg.stop(PG_DIR);
            try {
                // The database comes back only after this answer: a request held until it returns would never be
                // answered (the client's 2-minute deadline, a hang, is the failure). How fast is not asserted.
                long start = System.nanoTime();
                HttpResponse<String> down = admin.send(HttpRequest.newBuilder(
                                URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .timeout(Duration.ofMinutes(2))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(Api.issueBody(csr, "tls-server", 30))))
                        .build());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(503, down.statusCode(), down.body());
                assertEquals("store_unavailable", Api.parse(down).get("error"));
                assertTrue(down.headers().firstValue("Retry-After").isPresent());
                assertFalse(down.body().contains("Exception"), down.body());
                System.out.printf("store down: 503 store_unavailable after %d ms%n", millis);
            } finally {
                Pg.resume(PG_DIR);
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
            int status = 0;
            while (System.nanoTime() < deadline && status != 201) {
                status = admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30))
                        .statusCode();
                Thread.sleep(200);
            }
            assertEquals(201, status, "issuance resumes once the database is back, without a restart");
            int before = load.issued().size();
            assertTrue(load.awaitIssued(before + 20, Load.STALL), "the clients recover too");
            load.close();
            told = load.issued();
            System.out.printf(
                    "store down: %d certificates answered 201, %d refused or failed%n", told.size(), load.failures());
        }
        try (Connection c = DriverManager.getConnection(APP.properties().get("datasources.default.url"), "pki", "");
                Statement s = c.createStatement()) {
            for (String serial : told) {
                try (ResultSet rs =
                        s.executeQuery("SELECT COUNT(*) FROM certificates WHERE serial = '" + serial + "'")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "answered 201 but not stored: " + serial);
                }
            }
            // its entry is chained, or committed and waiting for the sealer
            assertEquals(
                    0,
                    count(
                            s,
                            "SELECT COUNT(*) FROM certificates c WHERE c.service IS NULL AND NOT EXISTS (SELECT 1 FROM audit_log a "
                                    + "WHERE a.subject = 'certificate:' || c.serial) AND NOT EXISTS (SELECT 1 FROM audit_pending p "
                                    + "WHERE p.subject = 'certificate:' || c.serial)"),
                    "an issued certificate without its audit entry");
            assertEquals(
                    0,
                    count(
                            s,
                            "SELECT COUNT(*) FROM certificates c WHERE (SELECT COUNT(*) FROM ocsp_responses r "
                                    + "WHERE r.serial = c.serial) <> 2"),
                    "a certificate without its two pre-signed responses");
        }
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
