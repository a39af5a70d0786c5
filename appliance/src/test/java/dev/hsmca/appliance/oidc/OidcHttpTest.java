package dev.hsmca.appliance.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.store.AuditEntry;
import dev.hsmca.appliance.store.EnrollKeyRepository;
import dev.hsmca.appliance.store.InstallTokenRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OIDC bearer tokens on the admin API, against an issuer in this JVM: a token of the admin group acts as the
 * administrator; one of the enroller group creates install tokens and enrollment keys for its services only; every
 * wrong token (expired, another audience or issuer, unsigned, HMAC with the public key, an unknown key) is a 401 with
 * its reason and nothing written; a rotated key is followed; the issuer down is a 503 with Retry-After.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcHttpTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();
    static final FakeOidcIssuer IDP = new FakeOidcIssuer();

    /** A port bound and never listened on: connections are refused, and no other process can take it meanwhile. */
    static final Socket CLOSED = closedPort();

    @Inject
    EmbeddedServer server;

    @Inject
    InstallTokenRepository installTokens;

    @Inject
    EnrollKeyRepository enrollKeys;

    @Inject
    AuditLog audit;

    Api anonymous;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.oidc.issuers.idp.issuer", IDP.issuer());
        p.put("pki.oidc.issuers.idp.audience", "pki-appliance");
        p.put("pki.oidc.issuers.idp.keys-refresh", "1s");
        p.put("pki.oidc.rules.admins.issuer", "idp");
        p.put("pki.oidc.rules.admins.claim", "groups");
        p.put("pki.oidc.rules.admins.value", "pki-admins");
        p.put("pki.oidc.rules.admins.grants", "admin");
        p.put("pki.oidc.rules.enrollers.issuer", "idp");
        p.put("pki.oidc.rules.enrollers.claim", "groups");
        p.put("pki.oidc.rules.enrollers.value", "pki-enrollers");
        p.put("pki.oidc.rules.enrollers.grants", "install-tokens,enroll-keys");
        p.put("pki.oidc.rules.enrollers.services", "agent-*");
        p.put("pki.oidc.rules.enrollers.dns", "*.agents.example");
        p.put("pki.oidc.issuers.gone.issuer", "http://127.0.0.1:" + CLOSED.getLocalPort());
        p.put("pki.oidc.issuers.gone.audience", "pki-appliance");
        p.put("pki.oidc.rules.gone.issuer", "gone");
        p.put("pki.oidc.rules.gone.claim", "groups");
        p.put("pki.oidc.rules.gone.value", "pki-admins");
        p.put("pki.oidc.rules.gone.grants", "admin");
        p.put("pki.oidc.rules.backend.issuer", "idp");
        p.put("pki.oidc.rules.backend.claim", "realm_access.roles");
        p.put("pki.oidc.rules.backend.value", "token-maker");
        p.put("pki.oidc.rules.backend.grants", "install-tokens");
        p.put("pki.oidc.rules.backend.services", "web-*");
        return p;
    }

    @BeforeAll
    void setUp() {
        anonymous = new Api(APP.anonymousSsl(), server.getPort());
    }

    @AfterAll
    void stop() {
        IDP.close();
    }

    @Test
    void anAdminGroupTokenActsAsTheAdministrator() {
        String jwt = IDP.token(Map.of("groups", List.of("staff", "pki-admins"), "preferred_username", "alice"));
        HttpResponse<String> created = post(jwt, "/api/v1/install-tokens", agentToken("billing"));
        assertEquals(201, created.statusCode(), created.body());
        String id = (String) Api.parse(created).get("id");
        assertTrue(installTokens.findById(id).orElseThrow().createdBy().matches("oidc:idp:[0-9a-f-]+/alice"));
        assertEquals(200, get(jwt, "/api/v1/install-tokens").statusCode());
        List<AuditEntry> entries = audit.search(Instant.EPOCH, "token.create", 0, 10_000);
        assertTrue(entries.stream()
                .anyMatch(e -> e.actor().endsWith("/alice") && e.subject().equals("token:" + id)));
    }

    @Test
    void anEnrollerCreatesForItsServicesOnly() {
        String jwt = IDP.token(Map.of("groups", List.of("pki-enrollers"), "preferred_username", "bob"));
        assertEquals(
                201, post(jwt, "/api/v1/install-tokens", agentToken("agent-x")).statusCode());
        long tokens = installTokens.count();
        long keys = enrollKeys.count();
        assertError(post(jwt, "/api/v1/install-tokens", agentToken("billing")), 403, "not_allowed");
        // inside its services, but a name, an address or a client name outside what the rule delegates
        assertError(
                post(
                        jwt,
                        "/api/v1/install-tokens",
                        Map.of("service", "agent-y", "profile", "tls-server", "allowed_dns", List.of("bank.example"))),
                403,
                "not_allowed");
        assertError(
                post(
                        jwt,
                        "/api/v1/install-tokens",
                        Map.of("service", "agent-y", "profile", "tls-server", "allowed_ips", List.of("10.0.0.1"))),
                403,
                "not_allowed");
        assertError(
                post(
                        jwt,
                        "/api/v1/install-tokens",
                        Map.of("service", "agent-y", "profile", "tls-client", "allowed_cn", List.of("agent-billing"))),
                403,
                "not_allowed");
        assertError(
                post(
                        jwt,
                        "/api/v1/enroll-keys",
                        Map.of("service", "billing", "allowed_dns", List.of("a.agents.example"))),
                403,
                "not_allowed");
        // the administrator's other endpoints are not delegated
        assertError(get(jwt, "/api/v1/install-tokens"), 403, "not_allowed");
        assertError(get(jwt, "/api/v1/audit"), 403, "not_allowed");
        assertEquals(tokens, installTokens.count(), "a refused creation wrote a token");
        assertEquals(keys, enrollKeys.count(), "a refused creation wrote a key");

        HttpResponse<String> key = post(
                jwt, "/api/v1/enroll-keys", Map.of("service", "agent-z", "allowed_dns", List.of("*.agents.example")));
        assertEquals(201, key.statusCode(), key.body());
        HttpResponse<String> dns = post(
                jwt,
                "/api/v1/install-tokens",
                Map.of("service", "agent-y", "profile", "tls-server", "allowed_dns", List.of("y.agents.example")));
        assertEquals(201, dns.statusCode(), dns.body());
    }

    @Test
    void aClaimPathInsideAnObjectMapsToo() {
        String jwt = IDP.token(Map.of("realm_access", Map.of("roles", List.of("token-maker")), "azp", "backend"));
        assertEquals(
                201, post(jwt, "/api/v1/install-tokens", agentToken("web-1")).statusCode());
        assertError(post(jwt, "/api/v1/install-tokens", agentToken("agent-1")), 403, "not_allowed");
        assertError(
                post(
                        jwt,
                        "/api/v1/enroll-keys",
                        Map.of("service", "web-1", "allowed_dns", List.of("a.agents.example"))),
                403,
                "not_allowed");
        // a valid token without any rule: authenticated, allowed nothing
        assertError(
                post(IDP.token(Map.of("groups", List.of("staff"))), "/api/v1/install-tokens", agentToken("agent-q")),
                403,
                "not_allowed");
    }

    @Test
    void everyWrongTokenIsA401WithItsReasonAndNothingWritten() throws JOSEException {
        Map<String, Object> admin = Map.of("groups", List.of("pki-admins"));
        Instant now = Instant.now();
        List<List<String>> wrong = new ArrayList<>();
        wrong.add(List.of(
                "token_expired",
                FakeOidcIssuer.sign(
                        IDP.claims(admin)
                                .issueTime(Date.from(now.minusSeconds(7200)))
                                .notBeforeTime(Date.from(now.minusSeconds(7200)))
                                .expirationTime(Date.from(now.minusSeconds(3600)))
                                .build(),
                        IDP.currentKey(),
                        JWSAlgorithm.RS256)));
        wrong.add(List.of(
                "token_not_yet_valid",
                FakeOidcIssuer.sign(
                        IDP.claims(admin)
                                .notBeforeTime(Date.from(now.plusSeconds(3600)))
                                .build(),
                        IDP.currentKey(),
                        JWSAlgorithm.RS256)));
        wrong.add(List.of(
                "wrong_audience",
                FakeOidcIssuer.sign(
                        IDP.claims(admin).audience("another-app").build(), IDP.currentKey(), JWSAlgorithm.RS256)));
        wrong.add(List.of(
                "wrong_issuer",
                FakeOidcIssuer.sign(
                        IDP.claims(admin).issuer("https://evil.example").build(),
                        IDP.currentKey(),
                        JWSAlgorithm.RS256)));
        wrong.add(List.of(
                "alg_not_allowed",
                new PlainJWT(new PlainHeader(), IDP.claims(admin).build()).serialize()));
        // HS256 keyed with the issuer's public key (the classic confusion): refused for its algorithm
        SignedJWT hmac = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(IDP.currentKey().getKeyID())
                        .build(),
                IDP.claims(admin).build());
        hmac.sign(new MACSigner(IDP.currentKey().toRSAPublicKey().getEncoded()));
        wrong.add(List.of("alg_not_allowed", hmac.serialize()));
        wrong.add(List.of(
                "unknown_kid",
                FakeOidcIssuer.sign(
                        IDP.claims(admin).build(),
                        new RSAKeyGenerator(2048).keyID("nobody").generate(),
                        JWSAlgorithm.RS256)));
        String good = IDP.token(admin);
        String other = IDP.token(Map.of());
        wrong.add(List.of(
                "bad_signature", good.substring(0, good.lastIndexOf('.')) + other.substring(other.lastIndexOf('.'))));
        wrong.add(List.of("token_invalid", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"));

        long tokens = installTokens.count();
        for (List<String> w : wrong) {
            assertError(post(w.get(1), "/api/v1/install-tokens", agentToken("agent-w")), 401, w.get(0));
        }
        assertEquals(tokens, installTokens.count(), "a refused token wrote an install token");
    }

    @Test
    void aRotatedKeyIsFollowed() {
        assertEquals(
                201,
                post(
                                IDP.token(Map.of("groups", List.of("pki-admins"))),
                                "/api/v1/install-tokens",
                                agentToken("agent-r"))
                        .statusCode());
        IDP.rotate();
        HttpResponse<String> r = post(
                IDP.token(Map.of("groups", List.of("pki-admins"))), "/api/v1/install-tokens", agentToken("agent-r"));
        assertEquals(201, r.statusCode(), r.body());
    }

    @Test
    void anIssuerThatCannotBeReachedIsA503WithRetryAfter() {
        String jwt = FakeOidcIssuer.sign(
                IDP.claims(Map.of("groups", List.of("pki-admins")))
                        .issuer("http://127.0.0.1:" + CLOSED.getLocalPort())
                        .build(),
                IDP.currentKey(),
                JWSAlgorithm.RS256);
        HttpResponse<String> r = post(jwt, "/api/v1/install-tokens", agentToken("agent-d"));
        assertError(r, 503, "oidc_unavailable");
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }

    private static Socket closedPort() {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean pause() {
        try {
            Thread.sleep(200);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Map<String, Object> agentToken(String service) {
        return Map.of("service_name", service, "service_type", "agent");
    }

    private HttpResponse<String> post(String jwt, String path, Map<String, Object> body) {
        return anonymous.postJson(path, body, jwt);
    }

    private HttpResponse<String> get(String jwt, String path) {
        return anonymous.get(path, jwt);
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, Api.parse(r).get("error"), r.body());
    }
}
