package dev.hsmca.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.ClosedPort;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Each admin CLI command against a running appliance, including its error exits. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCliTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    String serial;
    Path dir;

    record Run(int exit, String out, String err) {}

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @BeforeAll
    void issueOne() throws Exception {
        dir = Files.createTempDirectory("cli");
        Api admin = new Api(APP.adminSsl(), server.getPort());
        var r = admin.postJson(
                "/api/v1/certificates",
                Map.of(
                        "csr",
                        Openssl.keyAndCsr(dir, "c", "c.internal", "DNS:c.internal"),
                        "profile",
                        "tls-server",
                        "validity_days",
                        20,
                        "service",
                        "cli-svc"));
        assertEquals(201, r.statusCode(), r.body());
        serial = (String) Api.parse(r).get("serial");
    }

    Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--url",
                "https://localhost:" + server.getPort(),
                "--ca-cert",
                APP.rootPem().toString(),
                "--admin-dir",
                APP.adminDir().toString()));
        return raw(all.toArray(String[]::new));
    }

    static Run raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void certListInfoAndJson() {
        Run list = cli("cert", "list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().startsWith("SERIAL"), list.out());
        assertTrue(list.out().contains(serial), list.out());

        Run soon = cli("cert", "list", "--expiring-within", "25", "--json");
        assertEquals(0, soon.exit(), soon.err());
        assertTrue(soon.out().contains(serial), soon.out());
        assertTrue(soon.out().trim().startsWith("{\"certificates\":"), soon.out());
        Run later = cli("cert", "list", "--expiring-within", "10");
        assertFalse(later.out().contains(serial), later.out());

        Run info = cli("cert", "info", serial);
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("service") && info.out().contains("cli-svc"), info.out());

        Run missing = cli("cert", "info", "abcdef");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("error: HTTP 404 certificate_not_found"), missing.err());
        Run bad = cli("cert", "info", "../etc");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("not a valid serial"), bad.err());
    }

    @Test
    void tokenCreateAndListThenServiceList() {
        Run created = cli(
                "token",
                "create",
                "--service",
                "from-cli",
                "--dns",
                "a.internal,b.internal",
                "--ttl",
                "600",
                "--profile",
                "tls-server");
        assertEquals(0, created.exit(), created.err());
        String token = created.out().lines().findFirst().orElseThrow();
        assertTrue(token.startsWith("hct_"), created.out());
        // The printed token works, once.
        Api anonymous = new Api(APP.anonymousSsl(), server.getPort());
        var r = anonymous.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(
                        Api.json(Map.of("csr", Openssl.keyAndCsr(dir, "tok", "a.internal", "DNS:a.internal")))))
                .build());
        assertEquals(201, r.statusCode(), r.body());

        Run tokens = cli("token", "list", "--service", "from-cli");
        assertEquals(0, tokens.exit(), tokens.err());
        assertTrue(tokens.out().contains("used"), tokens.out());
        assertFalse(tokens.out().contains(token.substring(21)), "the secret is never listed");

        Run badToken = cli("token", "create", "--service", "Not Valid", "--dns", "a.internal");
        assertEquals(1, badToken.exit());
        assertTrue(badToken.err().contains("invalid_service"), badToken.err());
        Run usage = cli("token", "create", "--dns", "a.internal");
        assertEquals(2, usage.exit(), "a missing required option is a usage error");

        Run services = cli("service", "list");
        assertEquals(0, services.exit(), services.err());
        assertTrue(services.out().startsWith("SERVICE"), services.out());
    }

    @Test
    void enrollKeyCreateUseListAndRevoke() {
        Run created = cli(
                "enroll-key",
                "create",
                "--service",
                "shop",
                "--dns",
                "a.example,*.b.example",
                "--max-uses",
                "2",
                "--per-hour",
                "10",
                "--expires",
                "30d",
                "--max-validity",
                "7d");
        assertEquals(0, created.exit(), created.err());
        String key = created.out().lines().findFirst().orElseThrow();
        assertTrue(key.startsWith("hek_"), created.out());
        String id = key.substring(4, 20);
        assertEquals(201, enrollWith(key, "x", "x.b.example").statusCode());

        Run json = cli("enroll-key", "create", "--service", "shop", "--dns", "a.example", "--json");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("\"key\":\"hek_"), json.out());
        assertTrue(json.out().contains("\"id\":"), json.out());

        Run list = cli("enroll-key", "list", "--service", "shop");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().startsWith("ID"), list.out());
        assertTrue(list.out().contains(id) && list.out().contains("1/2"), list.out());
        assertFalse(list.out().contains(key.substring(21)), "the secret is never listed");

        Run revoked = cli("enroll-key", "revoke", id);
        assertEquals(0, revoked.exit(), revoked.err());
        assertTrue(revoked.out().contains("revoked"), revoked.out());
        var refused = enrollWith(key, "y", "y.b.example");
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("enroll_key_revoked"), refused.body());
        Run listRevoked = cli("enroll-key", "list", "--state", "revoked", "--json");
        assertTrue(listRevoked.out().contains(id), listRevoked.out());

        Run again = cli("enroll-key", "revoke", id);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("HTTP 409 enroll_key_not_revocable"), again.err());
        Run badName = cli("enroll-key", "create", "--service", "shop", "--dns", "*.*.example");
        assertEquals(1, badName.exit());
        assertTrue(badName.err().contains("invalid_san"), badName.err());
        Run badExpiry = cli("enroll-key", "create", "--service", "shop", "--dns", "a.example", "--expires", "soon");
        assertEquals(1, badExpiry.exit());
        assertTrue(badExpiry.err().contains("invalid_validity"), badExpiry.err());
        Run badState = cli("enroll-key", "list", "--state", "sleeping");
        assertEquals(1, badState.exit());
        assertTrue(badState.err().contains("invalid_state"), badState.err());
        Run badId = cli("enroll-key", "revoke", "../x");
        assertEquals(1, badId.exit());
        Run usage = cli("enroll-key", "create", "--dns", "a.example");
        assertEquals(2, usage.exit(), "a missing required option is a usage error");
    }

    private HttpResponse<String> enrollWith(String key, String file, String name) {
        Api anonymous = new Api(APP.anonymousSsl(), server.getPort());
        return anonymous.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(
                        Api.json(Map.of("csr", Openssl.keyAndCsr(dir, file, name, "DNS:" + name)))))
                .build());
    }

    @Test
    void revokeWithReasonAndRefusals() throws Exception {
        Api admin = new Api(APP.adminSsl(), server.getPort());
        String other = (String) Api.parse(admin.postJson(
                        "/api/v1/certificates",
                        Map.of(
                                "csr",
                                Openssl.keyAndCsr(dir, "rv", "rv.internal", "DNS:rv.internal"),
                                "profile",
                                "tls-server")))
                .get("serial");
        Run revoked = cli("cert", "revoke", other, "--reason", "keyCompromise");
        assertEquals(0, revoked.exit(), revoked.err());
        assertTrue(revoked.out().contains("revoked"), revoked.out());
        Run conflict = cli("cert", "revoke", other, "--reason", "superseded");
        assertEquals(1, conflict.exit());
        assertTrue(conflict.err().contains("409 revocation_conflict"), conflict.err());
        Run badReason = cli("cert", "revoke", other, "--reason", "because");
        assertEquals(1, badReason.exit());
        assertTrue(badReason.err().contains("invalid_reason"), badReason.err());
    }

    @Test
    void checkExpiryAndHealthForCron() throws Exception {
        Run quiet = cli("ca", "check-expiry", "--alert-days", "5");
        assertEquals(0, quiet.exit(), quiet.out() + quiet.err());
        assertTrue(quiet.out().contains("OK"), quiet.out());
        Run loud = cli("ca", "check-expiry", "--alert-days", "25");
        assertEquals(1, loud.exit(), "the 20-day certificate is within 25 days");
        assertTrue(loud.out().contains(serial), loud.out());
        Run caSoon = cli("ca", "check-expiry", "--alert-days", "100", "--json");
        assertEquals(1, caSoon.exit());
        assertTrue(caSoon.out().contains("ca:tls"), "the appliance's 90-day TLS certificate: " + caSoon.out());

        Run health = cli("health");
        assertEquals(0, health.exit(), health.err());
        assertTrue(health.out().startsWith("UP"), health.out());
        Run down;
        try (ClosedPort closed = new ClosedPort()) {
            down = raw(
                    "health",
                    "--url",
                    "https://localhost:" + closed.port(),
                    "--ca-cert",
                    APP.rootPem().toString(),
                    "--admin-dir",
                    APP.adminDir().toString());
        }
        assertEquals(1, down.exit());
        assertTrue(down.err().startsWith("error: cannot reach"), down.err());
        Run noCredential = raw(
                "cert",
                "list",
                "--url",
                "https://localhost:" + server.getPort(),
                "--ca-cert",
                dir.resolve("missing.pem").toString());
        assertEquals(1, noCredential.exit());
        assertTrue(noCredential.err().contains("cannot read"), noCredential.err());
    }

    /** The integration notes' calls, as they are written there. */
    @Test
    void theNotesCallsAsWritten() throws Exception {
        Run health = cli("health", "check");
        assertEquals(0, health.exit(), health.err());
        assertTrue(health.out().startsWith("UP"), health.out());
        assertEquals(2, cli("health", "chek").exit(), "another word is a usage error");

        Run byService = cli("cert", "info", "cli-svc", "--json");
        assertEquals(0, byService.exit(), byService.err());
        assertTrue(byService.out().contains("\"serial\":\"" + serial + "\""), byService.out());
        Run noSuch = cli("cert", "info", "no-such-service");
        assertEquals(1, noSuch.exit());
        assertTrue(noSuch.err().contains("no service no-such-service"), noSuch.err());

        Run expiry = cli("ca", "check-expiry");
        assertEquals(1, expiry.exit(), "30 days by default: the 20-day certificate is within them");
        assertTrue(expiry.out().contains(serial), expiry.out());

        Path csr = dir.resolve("notes.csr");
        Files.writeString(csr, Openssl.keyAndCsr(dir, "notes", "notes.internal", "DNS:notes.internal"));
        Path out = dir.resolve("issued");
        Run issued = cli(
                "cert",
                "issue",
                "--csr",
                csr.toString(),
                "--validity",
                "10d",
                "--service",
                "notes-svc",
                "--out",
                out.toString());
        assertEquals(0, issued.exit(), issued.err());
        String cert = Files.readString(out.resolve("cert.pem"));
        String chain = Files.readString(out.resolve("chain.pem"));
        assertTrue(cert.startsWith("-----BEGIN CERTIFICATE-----") && chain.contains("BEGIN CERTIFICATE"), cert);
        assertEquals(cert + chain, Files.readString(out.resolve("fullchain.pem")));
        Run shown = cli("cert", "info", "notes-svc", "--json");
        assertEquals(0, shown.exit(), shown.err());
        assertTrue(
                shown.out().contains("notes.internal") && shown.out().contains("\"profile\":\"tls-server\""),
                shown.out());

        Path again = dir.resolve("server-cert");
        Run server = cli("ca", "create-server-cert", "--csr", csr.toString(), "--out", again.toString(), "--json");
        assertEquals(0, server.exit(), server.err());
        assertTrue(Files.readString(again.resolve("cert.pem")).startsWith("-----BEGIN CERTIFICATE-----"));
        Run missingCsr = cli("cert", "issue", "--csr", dir.resolve("none.csr").toString(), "--out", again.toString());
        assertEquals(1, missingCsr.exit());
        assertTrue(missingCsr.err().contains("cannot read"), missingCsr.err());
        Run refused = cli("cert", "issue", "--csr", csr.toString(), "--validity", "5000d", "--out", again.toString());
        assertEquals(1, refused.exit(), "beyond the profile's maximum");
        assertTrue(refused.err().contains("HTTP 4"), refused.err());
    }
}
