package dev.hsmca.appliance.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.EnrollKey;
import dev.hsmca.appliance.store.EnrollKeyRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Csrs;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The appliance's own TLS names ({@code ca.pki.example}, 192.0.2.10) are never handed out: no install token or
 * enrollment key may allow one or a wildcard covering one, and a key made before (or an appliance renamed after) gets
 * 403 {@code reserved_name} at its use, with no use counted. The administrator still may; loopback names stay free.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReservedNamesHttpTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2()
            .with("pki.ca.tls-names", "localhost,127.0.0.1,::1,ca.pki.example,192.0.2.10")
            .initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    @Inject
    EnrollKeyRepository keys;

    Api admin;
    Api anonymous;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @BeforeAll
    void setUp() {
        admin = new Api(APP.adminSsl(), server.getPort());
        anonymous = new Api(APP.anonymousSsl(), server.getPort());
    }

    @Test
    void aKeyCoveringTheApplianceNameIsRefusedAtUseWithNoUseCounted() {
        // made for web.pki.example, then widened in the store to *.pki.example, as a key made before the appliance
        // took its name would be
        HttpResponse<String> created = admin.postJson(
                "/api/v1/enroll-keys", Map.of("service", "web", "allowed_dns", List.of("web.pki.example")));
        assertEquals(201, created.statusCode(), created.body());
        String key = (String) Api.parse(created).get("key");
        String id = (String) Api.parse(created).get("id");
        EnrollKey k = keys.findById(id).orElseThrow();
        keys.update(new EnrollKey(
                k.id(),
                k.secretHash(),
                k.service(),
                "*.pki.example",
                "192.0.2.10",
                k.profile(),
                k.maxValiditySeconds(),
                k.maxUses(),
                k.perHour(),
                k.uses(),
                k.windowStart(),
                k.windowUses(),
                k.expiresAt(),
                k.createdAt(),
                k.createdBy(),
                k.lastUsedAt(),
                k.lastSerial(),
                k.revokedAt(),
                k.label()));

        long before = certificates.count();
        assertError(use(key, Csrs.of("ca.pki.example", List.of(), List.of(), List.of())), 403, "reserved_name");
        assertError(use(key, Csrs.of(null, List.of("*.pki.example"), List.of(), List.of())), 403, "reserved_name");
        assertError(
                use(key, Csrs.of("web.pki.example", List.of(), List.of("192.0.2.10"), List.of())),
                403,
                "reserved_name");
        assertEquals(before, certificates.count());
        assertEquals(0, keys.findById(id).orElseThrow().uses(), "no refusal counted a use");

        HttpResponse<String> ok = use(key, Csrs.of("web.pki.example", List.of(), List.of(), List.of()));
        assertEquals(201, ok.statusCode(), ok.body());
        assertEquals(1, keys.findById(id).orElseThrow().uses());
    }

    @Test
    void noTokenOrKeyMayAllowAnApplianceName() {
        for (Map<String, Object> names : List.<Map<String, Object>>of(
                Map.of("allowed_dns", List.of("ca.pki.example")),
                Map.of("allowed_dns", List.of("web.pki.example", "*.pki.example")),
                Map.of("allowed_dns", List.of("CA.PKI.example")),
                Map.of("allowed_ips", List.of("192.0.2.10")))) {
            Map<String, Object> key = new HashMap<>(names);
            key.put("service", "web");
            assertError(admin.postJson("/api/v1/enroll-keys", key), 400, "reserved_name");
            Map<String, Object> token = new HashMap<>(names);
            token.put("service", "web");
            token.put("profile", "tls-server");
            assertError(admin.postJson("/api/v1/install-tokens", token), 400, "reserved_name");
        }
        // a client name a CN would carry, which clients may read as the host name when there is no DNS SAN
        assertError(
                admin.postJson(
                        "/api/v1/install-tokens",
                        Map.of("service", "web", "profile", "tls-client", "allowed_cn", List.of("ca.pki.example"))),
                400,
                "reserved_name");

        // loopback names identify no host: still for anyone; the names next to the appliance's too
        HttpResponse<String> local = admin.postJson(
                "/api/v1/install-tokens",
                Map.of(
                        "service",
                        "web",
                        "profile",
                        "tls-server",
                        "allowed_dns",
                        List.of("localhost", "web.pki.example", "*.web.pki.example"),
                        "allowed_ips",
                        List.of("127.0.0.1")));
        assertEquals(201, local.statusCode(), local.body());
    }

    @Test
    void theAdministratorMayStillIssueTheApplianceName() {
        HttpResponse<String> r = admin.postJson(
                "/api/v1/certificates",
                Api.issueBody(
                        Csrs.of("ca.pki.example", List.of(), List.of(), List.of())
                                .pem(),
                        "tls-server",
                        1));
        assertEquals(201, r.statusCode(), r.body());
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, Api.parse(r).get("error"), r.body());
    }

    private HttpResponse<String> use(String key, Csrs.Csr csr) {
        return anonymous.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(Map.of("csr", csr.pem()))))
                        .build());
    }
}
