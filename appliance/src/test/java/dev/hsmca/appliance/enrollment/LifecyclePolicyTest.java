package dev.hsmca.appliance.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.issuance.LeafSigner;
import dev.hsmca.appliance.issuance.LeafTemplate;
import dev.hsmca.appliance.store.CertificateStore;
import dev.hsmca.appliance.store.InstallToken;
import dev.hsmca.appliance.store.InstallTokenRepository;
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
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What tokens, holders and revocations must refuse, each with its status and error code. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecyclePolicyTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    InstallTokenRepository tokens;

    @Inject
    LeafSigner signer;

    @Inject
    CertificateStore store;

    @Inject
    CaHierarchy ca;

    @Inject
    Profiles profiles;

    Api admin;
    Api anonymous;
    Path dir;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @BeforeAll
    void setUp() throws Exception {
        admin = new Api(APP.adminSsl(), server.getPort());
        anonymous = new Api(APP.anonymousSsl(), server.getPort());
        dir = Files.createTempDirectory("policy");
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, Api.parse(r).get("error"), r.body());
    }

    String token(String service, List<String> dns, String profile, int maxDays) {
        HttpResponse<String> r = admin.postJson(
                "/api/v1/install-tokens",
                Map.of(
                        "service",
                        service,
                        "allowed_dns",
                        dns,
                        "profile",
                        profile,
                        "ttl_seconds",
                        600,
                        "max_validity_days",
                        maxDays));
        assertEquals(201, r.statusCode(), r.body());
        return (String) Api.parse(r).get("token");
    }

    HttpResponse<String> enroll(String token, Map<String, Object> body) {
        return anonymous.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(body)))
                        .build());
    }

    /** A service certificate issued by the admin, and an mTLS client presenting it. */
    Api holder(String name, String service) {
        String csr = Openssl.keyAndCsr(dir, name, name + ".internal", "DNS:" + name + ".internal");
        HttpResponse<String> r = admin.postJson(
                "/api/v1/certificates",
                Map.of("csr", csr, "profile", "tls-server-client", "service", service, "validity_days", 10));
        assertEquals(201, r.statusCode(), r.body());
        Map<String, Object> issued = Api.parse(r);
        return new Api(
                Openssl.identity(
                        APP, dir, name, (String) issued.get("certificate_pem"), (String) issued.get("chain_pem")),
                server.getPort());
    }

    @Test
    void tokensAuthorizeExactlyTheirNamesProfileAndValidity() {
        String token = token("shop", List.of("shop.internal"), "tls-server", 30);
        HttpResponse<String> otherName = enroll(
                token,
                Map.of("csr", Openssl.keyAndCsr(dir, "evil", "shop.internal", "DNS:shop.internal,DNS:admin.internal")));
        assertError(otherName, 403, "name_not_allowed");
        assertTrue(Api.parse(otherName).get("message").toString().contains("admin.internal"));
        assertError(
                enroll(
                        token,
                        Map.of("csr", Openssl.keyAndCsr(dir, "ip", "shop.internal", "DNS:shop.internal,IP:10.9.9.9"))),
                403,
                "name_not_allowed");
        String good = Openssl.keyAndCsr(dir, "shop", "shop.internal", "DNS:shop.internal");
        assertError(enroll(token, Map.of("csr", good, "profile", "tls-client")), 403, "profile_not_allowed");
        assertError(enroll(token, Map.of("csr", good, "validity_days", 31)), 403, "validity_not_allowed");
        // None of those refusals used the token up.
        HttpResponse<String> ok = enroll(token, Map.of("csr", good, "validity_days", 30));
        assertEquals(201, ok.statusCode(), ok.body());
        assertEquals(
                "shop",
                Api.parse(admin.get("/api/v1/certificates/" + Api.parse(ok).get("serial")))
                        .get("service"));
    }

    @Test
    void expiredUnknownRevokedAndMalformedTokens() {
        String csr = Openssl.keyAndCsr(dir, "t", "t.internal", "DNS:t.internal");
        String expired = token("tee", List.of("t.internal"), "tls-server", 30);
        String id = expired.substring(4, 20);
        InstallToken row = tokens.findById(id).orElseThrow();
        tokens.update(new InstallToken(
                row.id(),
                row.secretHash(),
                row.service(),
                row.allowedDns(),
                row.allowedIps(),
                row.profile(),
                row.maxValidityDays(),
                Instant.now().minusSeconds(1),
                row.createdAt(),
                row.createdBy(),
                null,
                null,
                null,
                row.allowedCn(),
                row.allowedUris(),
                row.label()));
        assertError(enroll(expired, Map.of("csr", csr)), 401, "token_expired");

        String genuine = token("tee", List.of("t.internal"), "tls-server", 30);
        String forged = genuine.substring(0, 21) + (genuine.charAt(21) == 'A' ? 'B' : 'A') + genuine.substring(22);
        assertError(enroll(forged, Map.of("csr", csr)), 401, "token_invalid");
        assertError(enroll("hct_0000000000000000_" + "A".repeat(43), Map.of("csr", csr)), 401, "token_invalid");
        assertError(enroll("not-a-token", Map.of("csr", csr)), 401, "token_invalid");

        String revoked = token("tee", List.of("t.internal"), "tls-server", 30);
        String revokedId = revoked.substring(4, 20);
        var del = admin.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.getPort() + "/api/v1/install-tokens/" + revokedId))
                .DELETE()
                .build());
        assertEquals(200, del.statusCode(), del.body());
        assertEquals("revoked", Api.parse(del).get("state"));
        assertError(enroll(revoked, Map.of("csr", csr)), 401, "token_invalid");

        assertEquals(201, enroll(genuine, Map.of("csr", csr)).statusCode());
        var again = admin.send(HttpRequest.newBuilder(URI.create(
                        "https://localhost:" + server.getPort() + "/api/v1/install-tokens/" + genuine.substring(4, 20)))
                .DELETE()
                .build());
        assertError(again, 409, "token_not_revocable");

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listed = (List<Map<String, Object>>)
                Api.parse(admin.get("/api/v1/install-tokens?service=tee")).get("tokens");
        assertTrue(listed.stream().noneMatch(t -> t.get("token") != null), "secrets are never listed");
        assertTrue(listed.stream().anyMatch(t -> "used".equals(t.get("state"))));
    }

    @Test
    void onlyAdminsCreateTokensAndInputIsChecked() {
        assertError(
                anonymous.postJson("/api/v1/install-tokens", Map.of("service", "x")),
                401,
                "client_certificate_required");
        Api someone = holder("someone", "someone");
        assertError(someone.postJson("/api/v1/install-tokens", Map.of("service", "x")), 403, "not_admin");
        assertError(
                admin.postJson(
                        "/api/v1/install-tokens",
                        Map.of("service", "Bad_Service", "allowed_dns", List.of("a.b"), "profile", "tls-server")),
                400,
                "invalid_service");
        assertError(
                admin.postJson(
                        "/api/v1/install-tokens",
                        Map.of("service", "ok", "allowed_dns", List.of("not valid"), "profile", "tls-server")),
                400,
                "invalid_san");
        assertError(
                admin.postJson(
                        "/api/v1/install-tokens",
                        Map.of(
                                "service",
                                "ok",
                                "allowed_dns",
                                List.of("a.b"),
                                "profile",
                                "tls-server",
                                "ttl_seconds",
                                5)),
                400,
                "invalid_ttl");
        assertError(
                admin.postJson(
                        "/api/v1/install-tokens",
                        Map.of("service", "ok", "allowed_dns", List.of("a.b"), "profile", "nope")),
                400,
                "unknown_profile");
    }

    @Test
    void renewalKeepsTheIdentityAndRefusesMore() {
        Api web = holder("web", "web");
        assertError(
                web.postJson(
                        "/api/v1/certificates/renew",
                        Map.of(
                                "csr",
                                Openssl.keyAndCsr(
                                        dir, "web-more", "web.internal", "DNS:web.internal,DNS:db.internal"))),
                403,
                "name_not_allowed");
        assertError(
                anonymous.postJson(
                        "/api/v1/certificates/renew",
                        Map.of("csr", Openssl.keyAndCsr(dir, "anon", "web.internal", "DNS:web.internal"))),
                401,
                "client_certificate_required");
        assertError(
                admin.postJson(
                        "/api/v1/certificates/renew",
                        Map.of("csr", Openssl.keyAndCsr(dir, "adm", "web.internal", "DNS:web.internal"))),
                403,
                "not_a_service");

        HttpResponse<String> renewed = web.postJson(
                "/api/v1/certificates/renew",
                Map.of(
                        "csr",
                        Openssl.keyAndCsr(dir, "web2", "web.internal", "DNS:web.internal"),
                        "revoke_old",
                        true,
                        "validity_days",
                        7));
        assertEquals(201, renewed.statusCode(), renewed.body());
        // revoke_old: the certificate that authenticated the renewal is now superseded and refused.
        assertError(web.get("/api/v1/services/web"), 403, "certificate_revoked");
    }

    @Test
    void renewalAfterExpiryIsRefusedWithAClearError() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        Instant now = Instant.now();
        LeafTemplate t = new LeafTemplate(
                "old.internal",
                List.of("old.internal"),
                List.of(),
                List.of(),
                SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()),
                false,
                profiles.internal("tls-server-client"),
                now.minus(Duration.ofDays(40)),
                now.minus(Duration.ofDays(10)));
        X509Certificate expired = signer.sign(t);
        store.insert(store.issued(
                expired,
                ca.issuing().id(),
                t.profile().name(),
                t.dnsNames(),
                t.ipAddresses(),
                t.uris(),
                "old",
                null,
                null,
                null,
                null));
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        p12.load(null, null);
        p12.setKeyEntry("old", pair.getPrivate(), "pw".toCharArray(), new Certificate[] {
            expired, ca.issuing().certificate(), ca.root().certificate()
        });
        Api old = new Api(APP.sslContext(p12, "pw".toCharArray()), server.getPort());

        HttpResponse<String> r = old.postJson(
                "/api/v1/certificates/renew",
                Map.of("csr", Openssl.keyAndCsr(dir, "old2", "old.internal", "DNS:old.internal")));
        assertError(r, 403, "certificate_expired");
        assertTrue(Api.parse(r).get("message").toString().contains("install token"), r.body());
    }

    @Test
    void revocationRulesAndOwnership() {
        Api alpha = holder("alpha", "alpha");
        holder("beta", "beta");
        @SuppressWarnings("unchecked")
        String betaSerial =
                (String) ((List<Map<String, Object>>) Api.parse(admin.get("/api/v1/certificates?service=beta"))
                                .get("certificates"))
                        .get(0)
                        .get("serial");
        assertError(
                alpha.postJson("/api/v1/certificates/" + betaSerial + "/revoke", Map.of("reason", "keyCompromise")),
                403,
                "not_your_certificate");

        String c = (String) Api.parse(admin.postJson(
                        "/api/v1/certificates",
                        Map.of(
                                "csr",
                                Openssl.keyAndCsr(dir, "r1", "r1.internal", "DNS:r1.internal"),
                                "profile",
                                "tls-server")))
                .get("serial");
        assertError(
                admin.postJson("/api/v1/certificates/" + c + "/revoke", Map.of("reason", "removeFromCRL")),
                409,
                "revocation_conflict");
        assertError(
                admin.postJson("/api/v1/certificates/" + c + "/revoke", Map.of("reason", "bogus")),
                400,
                "invalid_reason");
        HttpResponse<String> hold =
                admin.postJson("/api/v1/certificates/" + c + "/revoke", Map.of("reason", "certificateHold"));
        assertEquals("revoked", Api.parse(hold).get("status"));
        HttpResponse<String> lifted =
                admin.postJson("/api/v1/certificates/" + c + "/revoke", Map.of("reason", "removeFromCRL"));
        assertEquals(200, lifted.statusCode(), lifted.body());
        assertEquals("valid", Api.parse(lifted).get("status"));

        HttpResponse<String> first =
                admin.postJson("/api/v1/certificates/" + c + "/revoke", Map.of("reason", "keyCompromise"));
        assertEquals(200, first.statusCode());
        HttpResponse<String> same =
                admin.postJson("/api/v1/certificates/" + c + "/revoke", Map.of("reason", "keyCompromise"));
        assertEquals(200, same.statusCode(), "same reason again is idempotent");
        assertEquals(Api.parse(first).get("revoked_at"), Api.parse(same).get("revoked_at"));
        assertError(
                admin.postJson("/api/v1/certificates/" + c + "/revoke", Map.of("reason", "superseded")),
                409,
                "revocation_conflict");
        assertError(
                admin.postJson("/api/v1/certificates/abcdef0123/revoke", Map.of("reason", "superseded")),
                404,
                "certificate_not_found");
    }

    @Test
    void registryChecksItsInputAndOwnership() {
        Api gamma = holder("gamma", "gamma");
        assertError(gamma.postJson("/api/v1/services", Map.of("service", "delta")), 403, "not_your_service");
        assertError(gamma.postJson("/api/v1/services", Map.of("service", "-gamma")), 400, "invalid_service");
        assertError(
                gamma.postJson("/api/v1/services", Map.of("service", "gamma", "endpoints", List.of("ftp://x"))),
                400,
                "invalid_endpoints");
        assertEquals(
                200,
                gamma.postJson("/api/v1/services", Map.of("service", "gamma")).statusCode());
        assertError(gamma.get("/api/v1/services"), 403, "not_admin");
        assertError(admin.get("/api/v1/services/Nope!"), 400, "invalid_service");
        assertError(admin.get("/api/v1/services/unknown"), 404, "service_not_found");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> all = (List<Map<String, Object>>)
                Api.parse(admin.get("/api/v1/services")).get("services");
        assertTrue(all.stream().anyMatch(s -> "gamma".equals(s.get("service"))));
    }
}
