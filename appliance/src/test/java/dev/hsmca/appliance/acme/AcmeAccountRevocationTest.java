package dev.hsmca.appliance.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.acme.AcmeTestClient.Reply;
import dev.hsmca.appliance.cli.Cli;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeRepositories;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An admin revokes ACME accounts and EAB keys (REST and CLI): a revoked account is refused at new-order, challenge
 * and finalize (nothing issued); revoking a key revokes the account it bound and no account may bind it later;
 * both are audited under the admin's name.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeAccountRevocationTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();
    static final Map<String, String> HTTP01 = new ConcurrentHashMap<>();
    static final Http01Server WEB = Http01Server.tokens(HTTP01);

    @Inject
    EmbeddedServer server;

    @Inject
    AcmeOrders orders;

    @Inject
    AcmeRepositories.Accounts accounts;

    @Inject
    AcmeRepositories.EabKeys eabKeys;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.acme.http01-port", Integer.toString(WEB.port()));
        p.put("pki.acme.resolve", "*.acme.test=127.0.0.1");
        p.put("pki.acme.validation.allow-private-addresses", "true"); // TEST SWITCH: the web server is on loopback
        return p;
    }

    @AfterAll
    void stop() {
        WEB.close();
    }

    Api admin() {
        return new Api(APP.adminSsl(), server.getPort());
    }

    Map<String, Object> eab(String service, String... names) {
        var r = admin().postJson("/api/v1/acme/eab", Map.of("service", service, "allow_dns", List.of(names)));
        assertEquals(201, r.statusCode(), r.body());
        return Api.parse(r);
    }

    AcmeTestClient register(Map<String, Object> eab) {
        AcmeTestClient c = new AcmeTestClient(APP.anonymousSsl(), server.getPort());
        Reply r = c.register(c.binding((String) eab.get("kid"), (String) eab.get("hmac_key")));
        assertEquals(201, r.status(), r.body());
        return c;
    }

    /** An order proven by http-01, ready to finalize. */
    Reply readyOrder(AcmeTestClient c, String name) throws Exception {
        Reply order = c.newOrder(name);
        assertEquals(201, order.status(), order.body());
        String authz = AcmeTestClient.list(order.json(), "authorizations").get(0);
        Map<String, Object> ch = c.challenge(authz, "http-01");
        HTTP01.put((String) ch.get("token"), c.keyAuthorization((String) ch.get("token")));
        assertEquals(200, c.post((String) ch.get("url"), Map.of()).status());
        assertEquals("valid", c.pollWhile(authz, "pending").get("status"));
        assertEquals("ready", c.pollWhile(order.location(), "pending").get("status"));
        return order;
    }

    int certificatesOf(String service) {
        return ((List<?>) Api.parse(admin().get("/api/v1/certificates?service=" + service + "&status=any"))
                        .get("certificates"))
                .size();
    }

    /** The audit entries of this action on this subject, once the log has them. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> audited(String action, String subject) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<Map<String, Object>> found;
        do {
            found = ((List<Map<String, Object>>) Api.parse(admin().get("/api/v1/audit?limit=1000&action=" + action))
                            .get("entries"))
                    .stream().filter(e -> subject.equals(e.get("subject"))).toList();
            if (found.isEmpty()) {
                Thread.sleep(100);
            }
        } while (found.isEmpty() && System.nanoTime() < deadline);
        return found;
    }

    @Test
    void aRevokedAccountIsRefusedAtNewOrderChallengeAndFinalize() throws Exception {
        AcmeTestClient c = register(eab("revoked-acct", "a.acme.test", "b.acme.test"));
        Reply ready = readyOrder(c, "a.acme.test");
        Reply pending = c.newOrder("b.acme.test");
        String pendingAuthz =
                AcmeTestClient.list(pending.json(), "authorizations").get(0);
        Map<String, Object> challenge = c.challenge(pendingAuthz, "http-01");
        String id = c.kid().substring(c.kid().lastIndexOf('/') + 1);

        assertEquals(
                401,
                new Api(APP.anonymousSsl(), server.getPort())
                        .postJson("/api/v1/acme/accounts/" + id + "/revoke", Map.of())
                        .statusCode(),
                "admins only");
        var revoked = admin().postJson("/api/v1/acme/accounts/" + id + "/revoke", Map.of());
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals("revoked", Api.parse(revoked).get("status"));

        assertEquals("unauthorized", c.newOrder("b.acme.test").problem());
        assertEquals(
                "unauthorized", c.post((String) challenge.get("url"), Map.of()).problem());
        Reply fin = c.post((String) ready.json().get("finalize"), Map.of("csr", AcmeTestClient.csr("a.acme.test")));
        assertEquals(403, fin.status(), fin.body());
        assertEquals("unauthorized", fin.problem());
        assertEquals(0, certificatesOf("revoked-acct"), "nothing issued to a revoked account");

        assertEquals(
                409,
                admin().postJson("/api/v1/acme/accounts/" + id + "/revoke", Map.of())
                        .statusCode(),
                "once");
        assertEquals(
                404,
                admin().postJson("/api/v1/acme/accounts/nosuchaccount/revoke", Map.of())
                        .statusCode());
        List<Map<String, Object>> audit = audited("acme.account.revoke", "acme-account:" + id);
        assertEquals(1, audit.size(), audit.toString());
        assertTrue(String.valueOf(audit.get(0).get("actor")).startsWith("admin:"), audit.toString());
    }

    @Test
    void revokingAKeyRevokesItsAccountAndNoAccountBindsItLater() throws Exception {
        Map<String, Object> bound = eab("revoked-eab", "c.acme.test");
        AcmeTestClient c = register(bound);
        Reply ready = readyOrder(c, "c.acme.test");
        String kid = (String) bound.get("kid");

        var r = admin().postJson("/api/v1/acme/eab/" + kid + "/revoke", Map.of());
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> body = Api.parse(r);
        assertEquals("revoked", body.get("account_status"), body.toString());
        assertTrue(body.get("revoked_at") != null && !body.containsKey("hmac_key"), body.toString());

        assertEquals("unauthorized", c.newOrder("c.acme.test").problem());
        assertEquals(
                "unauthorized",
                c.post((String) ready.json().get("finalize"), Map.of("csr", AcmeTestClient.csr("c.acme.test")))
                        .problem());
        assertEquals(0, certificatesOf("revoked-eab"));
        assertEquals(
                409,
                admin().postJson("/api/v1/acme/eab/" + kid + "/revoke", Map.of())
                        .statusCode());

        // a key revoked before anyone used it binds no account
        Map<String, Object> unused = eab("revoked-unused", "d.acme.test");
        assertEquals(
                200,
                admin().postJson("/api/v1/acme/eab/" + unused.get("kid") + "/revoke", Map.of())
                        .statusCode());
        AcmeTestClient late = new AcmeTestClient(APP.anonymousSsl(), server.getPort());
        assertEquals(
                "unauthorized",
                late.register(late.binding((String) unused.get("kid"), (String) unused.get("hmac_key")))
                        .problem());

        String accountId = c.kid().substring(c.kid().lastIndexOf('/') + 1);
        assertEquals(1, audited("acme.eab.revoke", "eab:" + kid).size());
        assertEquals(
                1, audited("acme.account.revoke", "acme-account:" + accountId).size(), "the account's revocation too");
    }

    @Test
    void orderChallengeAndFinalizeAskTheStoreNotTheRequest() throws Exception {
        // a request checked just before the revocation committed: it carries the account as it was
        AcmeTestClient c = register(eab("raced", "g.acme.test", "h.acme.test"));
        Reply ready = readyOrder(c, "g.acme.test");
        Reply pending = c.newOrder("h.acme.test");
        String chUrl = (String) c.challenge(
                        AcmeTestClient.list(pending.json(), "authorizations").get(0), "http-01")
                .get("url");
        String id = c.kid().substring(c.kid().lastIndexOf('/') + 1);
        AcmeAccount asChecked = accounts.findById(id).orElseThrow();
        assertEquals(
                200,
                admin().postJson("/api/v1/acme/accounts/" + id + "/revoke", Map.of())
                        .statusCode());

        NewOrder order = new NewOrder(asChecked, Set.of("h.acme.test"));
        assertEquals(
                AcmeProblem.PREFIX + "unauthorized",
                org.junit.jupiter.api.Assertions.assertThrows(AcmeProblem.class, () -> orders.newOrder(order))
                        .type());
        assertThrowsUnauthorized(() -> orders.respond(asChecked, chUrl.substring(chUrl.lastIndexOf('/') + 1)));
        String orderId = ready.location().substring(ready.location().lastIndexOf('/') + 1);
        Finalize fin =
                new Finalize(asChecked, orderId, Base64.getUrlDecoder().decode(AcmeTestClient.csr("g.acme.test")));
        assertThrowsUnauthorized(() -> orders.finalizeOrder(fin));
        assertEquals(0, certificatesOf("raced"));
    }

    @Test
    void anAccountWhoseKeyWasRevokedIsRefusedEvenIfStillValid() {
        // the key revoked in the store alone (say, by a replica of an older version): the account row still says valid
        Map<String, Object> e = eab("key-only", "k.acme.test");
        AcmeTestClient c = register(e);
        assertEquals(1, eabKeys.revoke((String) e.get("kid"), Instant.now()));
        assertEquals("unauthorized", c.newOrder("k.acme.test").problem());
    }

    static void assertThrowsUnauthorized(org.junit.jupiter.api.function.Executable call) {
        assertEquals(
                AcmeProblem.PREFIX + "unauthorized",
                org.junit.jupiter.api.Assertions.assertThrows(AcmeProblem.class, call)
                        .type());
    }

    @Test
    void theCliRevokesAccountsAndKeys() throws Exception {
        Map<String, Object> first = eab("cli-acct", "e.acme.test");
        AcmeTestClient c = register(first);
        Run byUrl = cli("acme", "account", "revoke", c.kid());
        assertEquals(0, byUrl.exit(), byUrl.err());
        assertTrue(byUrl.out().contains("revoked"), byUrl.out());
        assertEquals("unauthorized", c.newOrder("e.acme.test").problem());
        Run again = cli("acme", "account", "revoke", c.kid());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("acme_account_revoked"), again.err());

        Map<String, Object> second = eab("cli-eab", "f.acme.test");
        AcmeTestClient d = register(second);
        Run key = cli("acme", "eab", "revoke", (String) second.get("kid"), "--json");
        assertEquals(0, key.exit(), key.err());
        assertTrue(key.out().contains("\"account_status\":\"revoked\""), key.out());
        assertEquals("unauthorized", d.newOrder("f.acme.test").problem());
    }

    record Run(int exit, String out, String err) {}

    Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--url",
                "https://localhost:" + server.getPort(),
                "--ca-cert",
                APP.rootPem().toString(),
                "--admin-dir",
                APP.adminDir().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }
}
