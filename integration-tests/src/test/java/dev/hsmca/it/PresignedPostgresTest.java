package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.appliance.testing.TestDatabases;
import dev.hsmca.hsm.testing.Shell;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pre-signed mode on PostgreSQL: the responder has no HSM at all (no token configuration, no SoftHSM
 * environment) and serves what the appliance signed; it answers tryLater while its database is down and
 * recovers without a restart when it is back.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresignedPostgresTest implements TestPropertyProvider {
    static final Path PG_DIR = Pg.dir();
    static final String PG_ADMIN = Pg.start(PG_DIR);
    static final TestAppliance APP =
            TestAppliance.postgres(TestDatabases.freshPostgres(PG_ADMIN)).initialize();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    Path dir;
    String serial;

    @Override
    public Map<String, String> getProperties() {
        if (responder == null) {
            Map<String, String> shared = new HashMap<>(E2e.databaseOnly(APP));
            shared.put("pki.ocsp.mode", "presigned");
            responder = ResponderProcess.start(shared, false);
        }
        return E2e.withOcspUrl(APP, responder);
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("presigned");
        serial = E2e.issueLeaf(APP, server.getPort(), dir);
    }

    @AfterAll
    void stop() {
        if (responder != null) {
            responder.close();
        }
        Pg.stop(PG_DIR);
    }

    Shell.Result ocsp(String... extra) {
        return E2e.ocsp(dir, responder.url(), extra);
    }

    @Test
    void servesPresignedAnswersWithoutAnyKey() {
        assertFalse(responder.log().contains("HSM token"), "the responder opened no token: " + responder.log());
        Shell.Result good = ocsp("-cert", "leaf.pem", "-no_nonce");
        assertTrue(
                good.output().contains("Response verify OK") && good.output().contains("leaf.pem: good"),
                good.output());
        Shell.Result sha256 = ocsp("-sha256", "-cert", "leaf.pem", "-no_nonce");
        assertTrue(sha256.output().contains("leaf.pem: good"), sha256.output());
        // A nonce cannot be echoed without a key: the pre-signed answer comes back without it (RFC 5019).
        Shell.Result nonce = ocsp("-cert", "leaf.pem");
        assertTrue(nonce.output().contains("leaf.pem: good"), nonce.output());
        assertTrue(nonce.output().contains("WARNING: no nonce in response"), nonce.output());
        // Nothing pre-signed for a serial the CA never issued, and no key to sign "unknown": unauthorized.
        Shell.Result unknown = ocsp("-serial", "0xabcdef", "-no_nonce");
        assertTrue(unknown.output().contains("unauthorized"), unknown.output());
    }

    /** Also: the answer held in memory is dropped by the store's change feed before anyone can ask again. */
    @Test
    void revocationIsResignedBeforeTheCallReturns() throws Exception {
        Path own = Files.createTempDirectory("presigned-revoke"); // its own certificate: order-free
        String revokedSerial = E2e.issueLeaf(APP, server.getPort(), own);
        // answered good first, so the responder holds the good answer in memory (its change feed is up on PostgreSQL)
        for (int i = 0; i < 2; i++) {
            Shell.Result good = E2e.ocsp(own, responder.url(), "-cert", "leaf.pem", "-no_nonce");
            assertTrue(good.output().contains("leaf.pem: good"), good.output());
        }
        assertTrue(responder.log().contains("OCSP change feed up"), responder.log());
        Api admin = new Api(APP.adminSsl(), server.getPort());
        HttpResponse<String> r =
                admin.postJson("/api/v1/certificates/" + revokedSerial + "/revoke", Map.of("reason", "superseded"));
        assertEquals(200, r.statusCode(), r.body());
        Shell.Result revoked = E2e.ocsp(own, responder.url(), "-cert", "leaf.pem", "-no_nonce");
        assertTrue(revoked.output().contains("leaf.pem: revoked"), revoked.output());
        assertTrue(revoked.output().contains("Reason: superseded"), revoked.output());
    }

    @Test
    void tryLaterWhileTheDatabaseIsDownThenRecovers() throws Exception {
        Pg.stop(PG_DIR);
        try {
            Shell.Result down = ocsp("-cert", "leaf.pem", "-no_nonce");
            assertTrue(down.output().contains("trylater"), down.output());
            assertEquals(503, responder.get("/health").statusCode());
            assertTrue(responder.alive());
        } finally {
            Pg.resume(PG_DIR);
        }
        Shell.Result back = ocsp("-cert", "leaf.pem", "-no_nonce");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (!back.output().contains("leaf.pem: good") && System.nanoTime() < deadline) {
            Thread.sleep(500);
            back = ocsp("-cert", "leaf.pem", "-no_nonce");
        }
        assertTrue(back.output().contains("leaf.pem: good"), back.output());
        assertEquals(200, responder.get("/health").statusCode());
    }
}
