package dev.hsmca.appliance.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.hsmca.appliance.acme.AcmeTestClient.Reply;
import dev.hsmca.appliance.store.AcmeRepositories;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ACME (RFC 8555) as a client sees it, through the real HSM and store: http-01 and dns-01 (a test web server and a
 * test DNS server the validator is pointed at), finalize, download, renewal info, revocation by account and by
 * certificate key, key rollover, deactivation; every refusal a client can provoke, each with its problem type;
 * 20 orders at once on one account and on 20 accounts.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeProtocolTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();
    static final Map<String, String> HTTP01 = new ConcurrentHashMap<>();
    static final Http01Server WEB = Http01Server.tokens(HTTP01);
    static final TestDns DNS = TestDns.start();
    /** Where tls-alpn-01 validations go here: a server that accepts and never answers. */
    static final ScriptedServer STALL = new ScriptedServer(ScriptedServer.silent());

    @Inject
    EmbeddedServer server;

    @Inject
    AcmeRepositories.Challenges challenges;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.acme.http01-port", Integer.toString(WEB.port()));
        p.put("pki.acme.resolve", "*.acme.test=127.0.0.1");
        p.put("pki.acme.validation.allow-private-addresses", "true"); // TEST SWITCH: the clients listen on loopback
        p.put("pki.acme.dns-server", DNS.address());
        p.put("pki.acme.tlsalpn01-port", Integer.toString(STALL.port()));
        p.put("pki.acme.orders-per-hour", "40");
        p.put("pki.acme.validation.resume-interval", "1s");
        // the stalled validations must outlast the other account's whole flow on a loaded machine, not fail first
        p.put("pki.acme.validation.deadline", "10m");
        return p;
    }

    @AfterAll
    void stop() {
        WEB.close();
        DNS.close();
        STALL.close();
    }

    AcmeTestClient client() {
        return new AcmeTestClient(APP.anonymousSsl(), server.getPort());
    }

    Api admin() {
        return new Api(APP.adminSsl(), server.getPort());
    }

    /** An EAB key from the admin API: kid and HMAC key. */
    Map<String, Object> eab(String service, String... names) {
        var r = admin().postJson("/api/v1/acme/eab", Map.of("service", service, "allow_dns", List.of(names)));
        assertEquals(201, r.statusCode(), r.body());
        return Api.parse(r);
    }

    AcmeTestClient account(String service, String... names) {
        AcmeTestClient c = client();
        Map<String, Object> e = eab(service, names);
        Reply r = c.register(c.binding((String) e.get("kid"), (String) e.get("hmac_key")));
        assertEquals(201, r.status(), r.body());
        return c;
    }

    /** Proves every authorization of the order by http-01 and waits until the order is ready. */
    Map<String, Object> proveHttp01(AcmeTestClient c, Reply order) throws InterruptedException {
        assertEquals(201, order.status(), order.body());
        for (String authz : AcmeTestClient.list(order.json(), "authorizations")) {
            Map<String, Object> ch = c.challenge(authz, "http-01");
            HTTP01.put((String) ch.get("token"), c.keyAuthorization((String) ch.get("token")));
            Reply started = c.post((String) ch.get("url"), Map.of());
            assertEquals(200, started.status(), started.body());
            assertEquals(
                    "1", started.response().headers().firstValue("Retry-After").orElse(""), "processing: poll soon");
            assertEquals("valid", c.pollWhile(authz, "pending").get("status"));
        }
        return c.pollWhile(order.location(), "pending");
    }

    /** Finalizes with a CSR for the names and downloads the chain. */
    List<X509Certificate> finalizeAndDownload(AcmeTestClient c, String orderUrl, Map<String, Object> order, String csr)
            throws Exception {
        assertEquals("ready", order.get("status"), order.toString());
        Reply f = c.post((String) order.get("finalize"), Map.of("csr", csr));
        assertEquals(200, f.status(), f.body());
        Map<String, Object> done = c.pollWhile(orderUrl, "processing");
        assertEquals("valid", done.get("status"));
        Reply chain = c.post((String) done.get("certificate"), null);
        assertEquals(200, chain.status(), chain.body());
        assertEquals(
                "application/pem-certificate-chain",
                chain.response().headers().firstValue("Content-Type").orElse(""));
        List<X509Certificate> certs = AcmeTestClient.certificates(chain.body());
        assertEquals(2, certs.size(), "leaf and issuing CA");
        certs.get(0).verify(certs.get(1).getPublicKey());
        certs.get(1).verify(APP.root().getPublicKey());
        return certs;
    }

    String status(X509Certificate c) {
        return (String) Api.parse(admin().get(
                                "/api/v1/certificates/" + c.getSerialNumber().toString(16)))
                .get("status");
    }

    @Test
    void issuesOverHttp01AndRevokesByAccountAndByCertificateKey() throws Exception {
        AcmeTestClient c = account("shop", "a.acme.test", "b.acme.test");
        Reply order = c.newOrder("a.acme.test", "b.acme.test");
        Map<String, Object> ready = proveHttp01(c, order);
        List<X509Certificate> chain =
                finalizeAndDownload(c, order.location(), ready, AcmeTestClient.csr("a.acme.test", "b.acme.test"));
        assertEquals(Set.of("a.acme.test", "b.acme.test"), AcmeTestClient.dnsNames(chain.get(0)));
        assertEquals("valid", status(chain.get(0)));
        Map<String, Object> stored = Api.parse(admin().get(
                        "/api/v1/certificates/" + chain.get(0).getSerialNumber().toString(16)));
        assertEquals("shop", stored.get("service"), "registered under the binding's service: " + stored);

        // renewal info (RFC 9773) for the certificate: the CA's window, inside the certificate's life
        byte[] aki = AuthorityKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(chain.get(0).getExtensionValue("2.5.29.35"))
                                .getOctets())
                .getKeyIdentifier();
        Reply ari = c.get(c.url("renewalInfo") + "/" + AcmeTestClient.b64(aki) + "."
                + AcmeTestClient.b64(chain.get(0).getSerialNumber().toByteArray()));
        assertEquals(200, ari.status(), ari.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> window = (Map<String, Object>) ari.json().get("suggestedWindow");
        assertTrue(Instant.parse((String) window.get("start"))
                .isAfter(chain.get(0).getNotBefore().toInstant()));
        assertTrue(Instant.parse((String) window.get("end"))
                .isBefore(chain.get(0).getNotAfter().toInstant()));

        // another account may not revoke it; its own account may, once
        AcmeTestClient other = account("other", "z.acme.test");
        Map<String, Object> revoke =
                Map.of("certificate", AcmeTestClient.b64(chain.get(0).getEncoded()), "reason", 4);
        assertEquals("unauthorized", other.post(c.url("revokeCert"), revoke).problem());
        assertEquals(
                "badRevocationReason",
                c.post(
                                c.url("revokeCert"),
                                Map.of(
                                        "certificate",
                                        AcmeTestClient.b64(chain.get(0).getEncoded()),
                                        "reason",
                                        7))
                        .problem());
        for (Object notACode :
                List.of(1.9, "6", 4294967297L, 6)) { // not integers, out of range, or a hold (admin only)
            assertEquals(
                    "badRevocationReason",
                    c.post(
                                    c.url("revokeCert"),
                                    Map.of(
                                            "certificate",
                                            AcmeTestClient.b64(chain.get(0).getEncoded()),
                                            "reason",
                                            notACode))
                            .problem());
        }
        var tld = admin().postJson("/api/v1/acme/eab", Map.of("service", "tld", "allow_dns", List.of("*.com")));
        assertEquals(400, tld.statusCode(), "a wildcard over a top-level domain: " + tld.body());
        Reply revoked = c.post(c.url("revokeCert"), revoke);
        assertEquals(200, revoked.status(), revoked.body());
        assertEquals("revoked", status(chain.get(0)));
        assertEquals("alreadyRevoked", c.post(c.url("revokeCert"), revoke).problem());

        // by the certificate's own key (jwk), without the account
        KeyPair certKey = AcmeTestClient.keyPair();
        Reply second = c.newOrder("a.acme.test");
        List<X509Certificate> chain2 = finalizeAndDownload(
                c, second.location(), proveHttp01(c, second), AcmeTestClient.csr(certKey, "a.acme.test"));
        ECKey jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) certKey.getPublic())
                .privateKey((ECPrivateKey) certKey.getPrivate())
                .build();
        AcmeTestClient byKey = new AcmeTestClient(APP.anonymousSsl(), server.getPort(), jwk);
        AcmeTestClient stranger = client();
        assertEquals(
                "unauthorized",
                stranger.post(
                                c.url("revokeCert"),
                                Map.of(
                                        "certificate",
                                        AcmeTestClient.b64(chain2.get(0).getEncoded())))
                        .problem());
        Reply byCertKey = byKey.post(
                c.url("revokeCert"),
                Map.of("certificate", AcmeTestClient.b64(chain2.get(0).getEncoded()), "reason", 1));
        assertEquals(200, byCertKey.status(), byCertKey.body());
        assertEquals("revoked", status(chain2.get(0)));
    }

    @Test
    void wildcardByDns01() throws Exception {
        AcmeTestClient c = account("wild", "*.w.acme.test");
        Reply order = c.newOrder("*.w.acme.test");
        assertEquals(201, order.status(), order.body());
        String authz = AcmeTestClient.list(order.json(), "authorizations").get(0);
        Map<String, Object> a = c.post(authz, null).json();
        assertEquals(true, a.get("wildcard"));
        assertEquals(1, ((List<?>) a.get("challenges")).size(), "a wildcard is proven by dns-01 only");
        Map<String, Object> ch = c.challenge(authz, "dns-01");
        String keyAuthorization = c.keyAuthorization((String) ch.get("token"));
        DNS.addTxt(
                "_acme-challenge.w.acme.test",
                AcmeTestClient.b64(MessageDigest.getInstance("SHA-256")
                        .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII))));
        assertEquals(200, c.post((String) ch.get("url"), Map.of()).status());
        assertEquals("valid", c.pollWhile(authz, "pending").get("status"));
        List<X509Certificate> chain = finalizeAndDownload(
                c, order.location(), c.pollWhile(order.location(), "pending"), AcmeTestClient.csr("*.w.acme.test"));
        assertEquals(Set.of("*.w.acme.test"), AcmeTestClient.dnsNames(chain.get(0)));
    }

    @Test
    void aChallengeThatFailsInvalidatesTheOrder() throws Exception {
        AcmeTestClient c = account("fail", "nothing.acme.test", "dns.acme.test");
        Reply order = c.newOrder("nothing.acme.test");
        String authz = AcmeTestClient.list(order.json(), "authorizations").get(0);
        Map<String, Object> ch = c.challenge(authz, "http-01"); // nothing served for its token: the server answers 404
        assertEquals(200, c.post((String) ch.get("url"), Map.of()).status());
        Map<String, Object> a = c.pollWhile(authz, "pending");
        assertEquals("invalid", a.get("status"));
        Map<String, Object> failed = c.challenge(authz, "http-01");
        assertEquals("invalid", failed.get("status"));
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) failed.get("error");
        assertEquals("urn:ietf:params:acme:error:unauthorized", error.get("type"), error.toString());
        assertTrue(
                String.valueOf(error.get("detail")).startsWith("http-01: "), "the detail keeps its own ': ': " + error);
        assertTrue(String.valueOf(error.get("detail")).contains("404"), error.toString());
        assertEquals("invalid", c.post(order.location(), null).json().get("status"));
        assertEquals(
                "orderNotReady",
                c.post((String) order.json().get("finalize"), Map.of("csr", AcmeTestClient.csr("nothing.acme.test")))
                        .problem());

        Reply noTxt = c.newOrder("dns.acme.test"); // dns-01 with no TXT record
        String authz2 = AcmeTestClient.list(noTxt.json(), "authorizations").get(0);
        assertEquals(
                200,
                c.post((String) c.challenge(authz2, "dns-01").get("url"), Map.of())
                        .status());
        assertEquals("invalid", c.pollWhile(authz2, "pending").get("status"));
    }

    @Test
    void refusalsEachWithTheirProblem() throws Exception {
        // newAccount without a binding, with a wrong MAC, with an unknown kid, with a binding of another key
        AcmeTestClient c = client();
        Reply none = c.register(null);
        assertEquals(401, none.status());
        assertEquals("externalAccountRequired", none.problem());
        assertTrue(none.response().headers().firstValue("Replay-Nonce").isPresent(), "a problem carries a nonce too");
        Map<String, Object> e = eab("refusals", "r.acme.test");
        String kid = (String) e.get("kid");
        assertEquals(
                "unauthorized",
                c.register(c.binding(kid, AcmeTestClient.b64(new byte[32]))).problem());
        assertEquals(
                "unauthorized",
                c.register(c.binding("eab_unknown", (String) e.get("hmac_key"))).problem());
        AcmeTestClient thief = client();
        Map<String, Object> stolen = thief.binding(kid, (String) e.get("hmac_key"));
        assertEquals("unauthorized", c.register(stolen).problem(), "a binding signs one account key");

        Reply made = c.register(c.binding(kid, (String) e.get("hmac_key")));
        assertEquals(201, made.status(), made.body());
        AcmeTestClient again = client();
        assertEquals(
                "unauthorized",
                again.register(again.binding(kid, (String) e.get("hmac_key"))).problem(),
                "single use");
        Reply existing = new AcmeTestClient(APP.anonymousSsl(), server.getPort(), c.key()).register(null);
        assertEquals(200, existing.status(), "the same key again finds its account: " + existing.body());
        assertEquals(c.kid(), existing.location());

        // a name outside the binding's list
        assertEquals("rejectedIdentifier", c.newOrder("other.acme.test").problem());
        assertEquals("rejectedIdentifier", c.newOrder("x.r.acme.test").problem());
        assertEquals(
                "malformed",
                c.post(c.url("newOrder"), Map.of("identifiers", List.of())).problem());

        // nonces: unknown, replayed; the refusal's own nonce works
        Reply unknown = c.post(
                c.url("newOrder"),
                Map.of("identifiers", List.of(Map.of("type", "dns", "value", "r.acme.test"))),
                "bm90LWEtbm9uY2U");
        assertEquals(400, unknown.status());
        assertEquals("badNonce", unknown.problem());
        Reply retried = c.newOrder("r.acme.test");
        assertEquals(201, retried.status(), retried.body());
        String used = c.freshNonce();
        assertEquals(
                201,
                c.post(
                                c.url("newOrder"),
                                Map.of("identifiers", List.of(Map.of("type", "dns", "value", "r.acme.test"))),
                                used)
                        .status());
        assertEquals(
                "badNonce",
                c.post(
                                c.url("newOrder"),
                                Map.of("identifiers", List.of(Map.of("type", "dns", "value", "r.acme.test"))),
                                used)
                        .problem());

        // a JWS for another URL, a MAC algorithm, a body that is no JWS
        String nonce = c.freshNonce();
        String forOrder = AcmeTestClient.jws(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(c.kid())
                        .customParam("nonce", nonce)
                        .customParam("url", c.url("newOrder"))
                        .build(),
                "{}",
                AcmeTestClient.signer(c.key()));
        assertEquals("unauthorized", c.postJws(c.url("revokeCert"), forOrder).problem());
        String hs = AcmeTestClient.jws(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(c.kid())
                        .customParam("nonce", c.freshNonce())
                        .customParam("url", c.url("newOrder"))
                        .build(),
                "{}",
                new MACSigner(new byte[32]));
        assertEquals("badSignatureAlgorithm", c.postJws(c.url("newOrder"), hs).problem());
        Reply junk = c.postJws(c.url("newOrder"), "not json");
        assertEquals(400, junk.status());
        assertEquals("malformed", junk.problem());
        assertTrue(!junk.body().contains("Exception") && !junk.body().contains("\tat "), junk.body());

        // a signature by another key under this account's kid
        AcmeTestClient forger = client().as(c.kid());
        assertEquals("unauthorized", forger.newOrder("r.acme.test").problem());

        // someone else's order, finalize before validation, a CSR for other names
        Reply order = c.newOrder("r.acme.test");
        AcmeTestClient other = account("refusals-other", "o.acme.test");
        assertEquals("unauthorized", other.post(order.location(), null).problem());
        assertEquals(
                "orderNotReady",
                c.post((String) order.json().get("finalize"), Map.of("csr", AcmeTestClient.csr("r.acme.test")))
                        .problem());
        Map<String, Object> ready = proveHttp01(c, order);
        assertEquals("ready", ready.get("status"));
        assertEquals(
                "badCSR",
                c.post((String) ready.get("finalize"), Map.of("csr", AcmeTestClient.csr("r.acme.test", "o.acme.test")))
                        .problem());
        assertEquals(
                "badCSR",
                c.post((String) ready.get("finalize"), Map.of("csr", "!!")).problem());
        assertEquals(
                "ready",
                c.post(order.location(), null).json().get("status"),
                "a refused finalize leaves the order ready");

        // rate limit: orders an hour per account (40 in this test)
        AcmeTestClient busy = account("busy", "busy.acme.test");
        int created = 0;
        Reply last;
        do {
            last = busy.newOrder("busy.acme.test");
            created += last.status() == 201 ? 1 : 0;
        } while (last.status() == 201 && created < 100);
        assertEquals(40, created);
        assertEquals(429, last.status());
        assertEquals("rateLimited", last.problem());
    }

    @Test
    void oneFinalizeIssuesOnce() throws Exception {
        AcmeTestClient c = account("once", "once.acme.test");
        Reply order = c.newOrder("once.acme.test");
        Map<String, Object> ready = proveHttp01(c, order);
        String csr = AcmeTestClient.csr("once.acme.test");
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                replies.add(pool.submit(() -> new AcmeTestClient(APP.anonymousSsl(), server.getPort(), c.key())
                        .as(c.kid())
                        .post((String) ready.get("finalize"), Map.of("csr", csr))));
            }
            int issued = 0;
            for (Future<Reply> f : replies) {
                Reply r = f.get();
                if (r.status() == 200) {
                    issued++;
                } else {
                    assertEquals("orderNotReady", r.problem(), r.body());
                }
            }
            assertEquals(1, issued, "five finalizes of one order, one certificate");
        } finally {
            pool.shutdownNow();
        }
        var listed = Api.parse(admin().get("/api/v1/certificates?service=once&status=any"));
        assertEquals(1, ((List<?>) listed.get("certificates")).size(), listed.toString());
    }

    @Test
    void keyRolloverAndDeactivation() throws Exception {
        AcmeTestClient c = account("roll", "roll.acme.test");
        ECKey next = AcmeTestClient.newKey();
        String inner = AcmeTestClient.jws(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .jwk(next.toPublicJWK())
                        .customParam("url", c.url("keyChange"))
                        .build(),
                JSONObjectUtils.toJSONString(Map.of(
                        "account", c.kid(), "oldKey", c.key().toPublicJWK().toJSONObject())),
                AcmeTestClient.signer(next));
        Reply rolled = c.post(c.url("keyChange"), JSONObjectUtils.parse(inner));
        assertEquals(200, rolled.status(), rolled.body());
        assertEquals("unauthorized", c.newOrder("roll.acme.test").problem(), "the old key no longer signs");
        AcmeTestClient renamed = new AcmeTestClient(APP.anonymousSsl(), server.getPort(), next).as(c.kid());
        assertEquals(201, renamed.newOrder("roll.acme.test").status());

        Reply off = renamed.post(c.kid(), Map.of("status", "deactivated"));
        assertEquals(200, off.status(), off.body());
        assertEquals("deactivated", off.json().get("status"));
        assertEquals("unauthorized", renamed.newOrder("roll.acme.test").problem());
    }

    @Test
    void anAccountWhoseServersStallDelaysNoOtherAccount() throws Exception {
        // ten tls-alpn-01 validations whose server never answers: they may hold this account's threads, no others
        String[] names = new String[10];
        for (int i = 0; i < names.length; i++) {
            names[i] = "s" + i + ".stall.acme.test";
        }
        AcmeTestClient staller = account("stalls", "*.stall.acme.test");
        Reply stalled = staller.newOrder(names);
        assertEquals(201, stalled.status(), stalled.body());
        List<String> stalledAuthz = AcmeTestClient.list(stalled.json(), "authorizations");
        for (String authz : stalledAuthz) {
            assertEquals(
                    200,
                    staller.post(
                                    (String) staller.challenge(authz, "tls-alpn-01")
                                            .get("url"),
                                    Map.of())
                            .status());
        }
        AcmeTestClient other = account("not-stalled", "ok.acme.test");
        Reply order = other.newOrder("ok.acme.test");
        assertEquals("ready", proveHttp01(other, order).get("status"), "the other account's validation ran");
        long stillWaiting = stalledAuthz.stream()
                .filter(a -> "pending".equals(staller.post(a, null).json().get("status")))
                .count();
        assertTrue(
                stillWaiting >= 8,
                "it did not wait for the stalled account's validations: " + stillWaiting + " of 10 pending");
    }

    @Test
    void aChallengeLeftProcessingIsTakenUpAgain() throws Exception {
        // as if the replica that started it had stopped: processing, nobody validating it
        AcmeTestClient c = account("resume", "resume.acme.test");
        Reply order = c.newOrder("resume.acme.test");
        String authz = AcmeTestClient.list(order.json(), "authorizations").get(0);
        Map<String, Object> ch = c.challenge(authz, "http-01");
        HTTP01.put((String) ch.get("token"), c.keyAuthorization((String) ch.get("token")));
        String url = (String) ch.get("url");
        assertEquals(1, challenges.start(url.substring(url.lastIndexOf('/') + 1)));
        assertEquals("valid", c.pollWhile(authz, "pending").get("status"), "validated by the resume pass");
        finalizeAndDownload(
                c, order.location(), c.pollWhile(order.location(), "pending"), AcmeTestClient.csr("resume.acme.test"));
    }

    @Test
    void twentyOrdersAtOnce() throws Exception {
        AcmeTestClient one = account("many", "*.many.acme.test");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<X509Certificate>> sameAccount = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = "n" + i + ".many.acme.test";
                sameAccount.add(pool.submit(() -> {
                    AcmeTestClient c =
                            new AcmeTestClient(APP.anonymousSsl(), server.getPort(), one.key()).as(one.kid());
                    Reply o = c.newOrder(name);
                    return finalizeAndDownload(c, o.location(), proveHttp01(c, o), AcmeTestClient.csr(name))
                            .get(0);
                }));
            }
            List<AcmeTestClient> accounts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                accounts.add(account("fleet-" + i, "f" + i + ".acme.test"));
            }
            List<Future<X509Certificate>> manyAccounts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                AcmeTestClient c = accounts.get(i);
                String name = "f" + i + ".acme.test";
                manyAccounts.add(pool.submit(() -> {
                    Reply o = c.newOrder(name);
                    return finalizeAndDownload(c, o.location(), proveHttp01(c, o), AcmeTestClient.csr(name))
                            .get(0);
                }));
            }
            Set<String> serials = new HashSet<>();
            for (Future<X509Certificate> f : sameAccount) {
                X509Certificate cert = f.get();
                assertNotNull(cert);
                serials.add(cert.getSerialNumber().toString(16));
            }
            for (Future<X509Certificate> f : manyAccounts) {
                serials.add(f.get().getSerialNumber().toString(16));
            }
            assertEquals(40, serials.size(), "forty orders, forty certificates");
            for (String s : serials) {
                assertNotEquals(
                        null,
                        Api.parse(admin().get("/api/v1/certificates/" + s)).get("serial"));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
