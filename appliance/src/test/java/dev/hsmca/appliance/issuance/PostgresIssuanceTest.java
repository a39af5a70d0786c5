package dev.hsmca.appliance.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
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

/** The same appliance on PostgreSQL, the production store: init, issue over mTLS, read back, verify. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresIssuanceTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.postgres().initialize();

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void issuesAndReadsBackOnPostgres() throws Exception {
        assertTrue(APP.properties().get("datasources.default.url").startsWith("jdbc:postgresql:"));
        Api admin = new Api(APP.adminSsl(), server.getPort());
        HttpResponse<String> r = admin.postJson(
                "/api/v1/certificates", Api.issueBody(Api.resource("csr/ec-p256.csr"), "tls-server", 45));
        assertEquals(201, r.statusCode(), r.body());
        Map<String, Object> issued = Api.parse(r);
        String serial = (String) issued.get("serial");

        Map<String, Object> read = Api.parse(admin.get("/api/v1/certificates/" + serial));
        assertEquals("valid", read.get("status"));
        assertEquals(44L, ((Number) read.get("days_until_expiry")).longValue());

        Path dir = Files.createTempDirectory("pg");
        Api.write(dir.resolve("leaf.pem"), (String) issued.get("certificate_pem"));
        Api.write(dir.resolve("chain.pem"), (String) issued.get("chain_pem"));
        Files.copy(APP.rootPem(), dir.resolve("root.pem"));
        Shell.Result v =
                Shell.exec(dir, "openssl", "verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem");
        assertEquals(0, v.exit(), v.output());

        assertEquals(
                200,
                new Api(APP.anonymousSsl(), server.getPort()).get("/health").statusCode());
    }
}
