package dev.hsmca.appliance.web.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import dev.hsmca.appliance.acme.AcmeNonceKeys;
import dev.hsmca.appliance.acme.AcmeTestClient;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Nothing an anonymous client does on /acme is written down: newNonce (HEAD and GET), the directory, and every
 * refused JWS (garbage, a bad signature, an unknown account, a bad nonce, no binding, a wrong binding MAC) leave
 * every table's row count as it was. Their answers still carry nonces that work.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeAnonymousRequestsTest implements TestPropertyProvider {
    // background jobs (CRL, OCSP pre-signing, renewals) stay quiet: only requests may change the counts
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.jobs.initial-delay", "1h").initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    DataSource dataSource;

    @Inject
    AcmeNonceKeys keys;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    /** Rows per table, every table of the appliance's schema. */
    Map<String, Long> rowCounts() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = DelegatingDataSource.unwrapDataSource(dataSource).getConnection()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    if ("public".equalsIgnoreCase(rs.getString("TABLE_SCHEM"))) {
                        tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                for (String t : tables) {
                    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t)) {
                        rs.next();
                        counts.put(t, rs.getLong(1));
                    }
                }
            }
        }
        assertTrue(counts.size() > 10, counts.toString());
        return counts;
    }

    @Test
    void anonymousAndRefusedRequestsWriteNothing() throws Exception {
        AcmeTestClient c = new AcmeTestClient(APP.anonymousSsl(), server.getPort());
        HttpClient http = HttpClient.newBuilder().sslContext(APP.anonymousSsl()).build();
        Map<String, Object> eab = Api.parse(new Api(APP.adminSsl(), server.getPort())
                .postJson("/api/v1/acme/eab", Map.of("service", "quiet", "allow_dns", List.of("q.acme.test"))));
        c.freshNonce(); // the directory is read once
        Map<String, Long> before = rowCounts();

        for (int i = 0; i < 200; i++) {
            HttpResponse<Void> head = http.send(
                    HttpRequest.newBuilder(URI.create(c.url("newNonce")))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(200, head.statusCode());
            assertTrue(head.headers().firstValue("Replay-Nonce").isPresent());
            assertEquals(
                    204,
                    http.send(
                                    HttpRequest.newBuilder(URI.create(c.url("newNonce")))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode());
        }
        assertEquals(
                200,
                c.get("https://localhost:" + server.getPort() + "/acme/directory")
                        .status());

        // refused JWS of every kind, each answered with a fresh nonce
        AcmeTestClient.Reply junk = c.postJws(c.url("newAccount"), "not json");
        assertEquals("malformed", junk.problem());
        assertTrue(junk.response().headers().firstValue("Replay-Nonce").isPresent());
        AcmeTestClient forger = new AcmeTestClient(APP.anonymousSsl(), server.getPort())
                .as("https://localhost:" + server.getPort() + "/acme/acct/nosuchaccount");
        assertEquals("accountDoesNotExist", forger.newOrder("q.acme.test").problem());
        String badSig = AcmeTestClient.jws(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .jwk(c.key().toPublicJWK())
                        .customParam("nonce", c.freshNonce())
                        .customParam("url", c.url("newAccount"))
                        .build(),
                "{}",
                AcmeTestClient.signer(AcmeTestClient.newKey()));
        assertEquals("unauthorized", c.postJws(c.url("newAccount"), badSig).problem());
        assertEquals(
                "badNonce",
                c.post(c.url("newAccount"), Map.of("termsOfServiceAgreed", true), "bm90LWEtbm9uY2U")
                        .problem());
        assertEquals("externalAccountRequired", c.register(null).problem());
        assertEquals(
                "unauthorized",
                c.register(c.binding((String) eab.get("kid"), AcmeTestClient.b64(new byte[32])))
                        .problem());

        assertEquals(before, rowCounts(), "nothing durable for anonymous or refused ACME requests");

        // and the nonces handed out meanwhile work
        AcmeTestClient.Reply made = c.register(c.binding((String) eab.get("kid"), (String) eab.get("hmac_key")));
        assertEquals(201, made.status(), made.body());
    }

    @Test
    void anotherReplicaOnTheSameStoreTakesThisOnesNonces() throws Exception {
        AcmeTestClient c = new AcmeTestClient(APP.anonymousSsl(), server.getPort());
        String nonce = c.freshNonce();
        AcmeNonces replica = new AcmeNonces(keys, Clock.systemUTC()); // its own memory, the shared key
        assertTrue(replica.use(nonce));
        AcmeNonces elsewhere = new AcmeNonces(() -> new byte[32], Clock.systemUTC(), 10);
        assertTrue(!elsewhere.use(c.freshNonce()), "an appliance with another key does not");
    }
}
