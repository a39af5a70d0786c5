package dev.hsmca.appliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.issuance.Renewals;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Csrs;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The three requests that got certificates no grant allowed (issue 22), over HTTP as a user sends them, and the
 * renewal that judged a revoked certificate before its write: each refused now, with its status and code.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrantPolicyHttpTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2()
            .with("pki.profiles.agent.key-usage", "digitalSignature")
            .with("pki.profiles.agent.extended-key-usage", "clientAuth")
            .with("pki.profiles.agent.max-validity-days", "30")
            .with("pki.profiles.agent.subject", "C=US,O=KubeAtlas")
            .initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    Renewals renewals;

    @Inject
    Revocations revocations;

    @Inject
    CertificateRepository certificates;

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
    void theSubjectIsTheGrantsNeverTheCsrs() {
        String token = token(Map.of(
                "service", "billing", "allowed_dns", List.of("billing.internal"), "profile", "tls-server-client"));
        HttpResponse<String> dbAdmin =
                enroll(token, Csrs.of("db_admin", List.of("billing.internal"), List.of(), List.of()));
        assertError(dbAdmin, 403, "name_not_allowed");
        assertTrue(message(dbAdmin).contains("db_admin"), dbAdmin.body());
        assertError(
                enroll(token, Csrs.of("evil\nline.internal", List.of("billing.internal"), List.of(), List.of())),
                400,
                "invalid_subject");
        assertError(
                enroll(token, Csrs.of(null, List.of("billing.internal"), List.of(), List.of("spiffe://td/billing"))),
                403,
                "name_not_allowed");

        // The token was not used by any refusal; a CSR's O and OU never reach the certificate.
        Csrs.Csr good = Csrs.withSubject(
                new X500Name("CN=Billing.Internal.,O=Evil Corp,OU=root"),
                List.of("billing.internal"),
                List.of(),
                List.of());
        HttpResponse<String> ok = enroll(token, good);
        assertEquals(201, ok.statusCode(), ok.body());
        X509Certificate cert = Csrs.certificate((String) Api.parse(ok).get("certificate_pem"));
        assertEquals("CN=billing.internal", cert.getSubjectX500Principal().getName());
    }

    @Test
    void aProfileFixesTheSubjectAndATokenGrantsAClientName() {
        String token = token(Map.of(
                "service", "agents", "allowed_cn", List.of("agent-foo"), "profile", "agent", "max_validity_days", 7));
        assertError(enroll(token, Csrs.of("agent-bar", List.of(), List.of(), List.of())), 403, "name_not_allowed");
        HttpResponse<String> ok = enroll(
                token, Csrs.withSubject(new X500Name("C=DE,O=Other,CN=Agent-Foo"), List.of(), List.of(), List.of()));
        assertEquals(201, ok.statusCode(), ok.body());
        X509Certificate cert = Csrs.certificate((String) Api.parse(ok).get("certificate_pem"));
        assertEquals(
                "CN=agent-foo,O=KubeAtlas,C=US", cert.getSubjectX500Principal().getName());
    }

    @Test
    void theGrantsLifetimeCapIsCarriedThroughEveryRenewal() {
        String token = token(Map.of(
                "service",
                "short",
                "allowed_dns",
                List.of("short.internal"),
                "profile",
                "tls-server-client",
                "max_validity_days",
                1));
        Csrs.Csr first = Csrs.of("short.internal", List.of(), List.of(), List.of());
        HttpResponse<String> issued = enroll(token, first);
        assertEquals(201, issued.statusCode(), issued.body());
        assertLivesAtMost(issued, Duration.ofDays(1));
        Api holder = holder(first, issued);

        HttpResponse<String> long1 = holder.postJson(
                "/api/v1/certificates/renew",
                Map.of(
                        "csr",
                        Csrs.of("short.internal", List.of(), List.of(), List.of())
                                .pem(),
                        "validity_days",
                        397));
        assertError(long1, 403, "validity_not_allowed");
        Csrs.Csr second = Csrs.of("short.internal", List.of(), List.of(), List.of());
        HttpResponse<String> renewed = holder.postJson("/api/v1/certificates/renew", Map.of("csr", second.pem()));
        assertEquals(201, renewed.statusCode(), renewed.body());
        assertLivesAtMost(renewed, Duration.ofDays(1));
        // and the renewed certificate's holder is held to the same cap
        assertError(
                holder(second, renewed)
                        .postJson(
                                "/api/v1/certificates/renew",
                                Map.of(
                                        "csr",
                                        Csrs.of("short.internal", List.of(), List.of(), List.of())
                                                .pem(),
                                        "validity",
                                        "25h")),
                403,
                "validity_not_allowed");
    }

    @Test
    void onlyAnAdministratorPutsOnOrLiftsAHold() {
        Api sibling = adminIssued("sib-a", "held-svc");
        String held = serial(admin.postJson(
                "/api/v1/certificates",
                Map.of(
                        "csr",
                        Csrs.of("sib-b.internal", List.of(), List.of(), List.of())
                                .pem(),
                        "profile",
                        "tls-server",
                        "service",
                        "held-svc")));
        assertEquals(
                200,
                admin.postJson("/api/v1/certificates/" + held + "/revoke", Map.of("reason", "certificateHold"))
                        .statusCode());

        assertError(
                sibling.postJson("/api/v1/certificates/" + held + "/revoke", Map.of("reason", "removeFromCRL")),
                403,
                "reason_not_allowed");
        assertError(
                sibling.postJson("/api/v1/certificates/" + held + "/revoke", Map.of("reason", "keyCompromise")),
                403,
                "revocation_change_not_allowed");
        String other = serial(admin.postJson(
                "/api/v1/certificates",
                Map.of(
                        "csr",
                        Csrs.of("sib-c.internal", List.of(), List.of(), List.of())
                                .pem(),
                        "profile",
                        "tls-server",
                        "service",
                        "held-svc")));
        assertError(
                sibling.postJson("/api/v1/certificates/" + other + "/revoke", Map.of("reason", "certificateHold")),
                403,
                "reason_not_allowed");
        assertEquals(
                "revoked", Api.parse(admin.get("/api/v1/certificates/" + held)).get("status"));
        assertEquals(
                "valid", Api.parse(admin.get("/api/v1/certificates/" + other)).get("status"));

        HttpResponse<String> lifted =
                admin.postJson("/api/v1/certificates/" + held + "/revoke", Map.of("reason", "removeFromCRL"));
        assertEquals("valid", Api.parse(lifted).get("status"), lifted.body());
        assertEquals(
                200,
                sibling.postJson("/api/v1/certificates/" + other + "/revoke", Map.of("reason", "keyCompromise"))
                        .statusCode());
    }

    @Test
    void aRenewalRereadsTheCertificateItRenewsInsideItsWrite() {
        Csrs.Csr key = Csrs.of("race.internal", List.of(), List.of(), List.of());
        String serial = serial(admin.postJson(
                "/api/v1/certificates", Map.of("csr", key.pem(), "profile", "tls-server-client", "service", "race")));
        // The holder authenticated while its certificate was valid; a keyCompromise revocation commits before the
        // write.
        HolderGrant authenticated =
                new HolderGrant(certificates.findById(serial).orElseThrow());
        assertEquals(CertificateStatus.VALID, authenticated.certificate().status());
        revocations.revoke(serial, RevocationReason.KEY_COMPROMISE, new AdminGrant("test"));
        long before = certificates
                .page(
                        "any",
                        "race",
                        "",
                        Instant.now(),
                        Instant.EPOCH,
                        Instant.parse("9999-01-01T00:00:00Z"),
                        Instant.EPOCH,
                        "",
                        100)
                .size();

        PkiException refused = assertThrows(
                PkiException.class,
                () -> renewals.renew(
                        authenticated,
                        Csrs.of("race.internal", List.of(), List.of(), List.of())
                                .pem(),
                        null,
                        true));
        assertEquals("certificate_revoked", refused.code());
        assertEquals(
                before,
                certificates
                        .page(
                                "any",
                                "race",
                                "",
                                Instant.now(),
                                Instant.EPOCH,
                                Instant.parse("9999-01-01T00:00:00Z"),
                                Instant.EPOCH,
                                "",
                                100)
                        .size(),
                "nothing was stored");
        assertFalse(certificates.findById(serial).orElseThrow().status() == CertificateStatus.VALID);
    }

    private Api adminIssued(String name, String service) {
        Csrs.Csr csr = Csrs.of(name + ".internal", List.of(), List.of(), List.of());
        HttpResponse<String> r = admin.postJson(
                "/api/v1/certificates", Map.of("csr", csr.pem(), "profile", "tls-server-client", "service", service));
        assertEquals(201, r.statusCode(), r.body());
        return holder(csr, r);
    }

    private Api holder(Csrs.Csr csr, HttpResponse<String> issued) {
        Map<String, Object> body = Api.parse(issued);
        return new Api(
                csr.identity(APP, (String) body.get("certificate_pem"), (String) body.get("chain_pem")),
                server.getPort());
    }

    private static void assertLivesAtMost(HttpResponse<String> issued, Duration cap) {
        X509Certificate cert = Csrs.certificate((String) Api.parse(issued).get("certificate_pem"));
        Duration left = Duration.between(Instant.now(), cert.getNotAfter().toInstant());
        assertTrue(left.compareTo(cap) <= 0, "lives " + left + ", more than " + cap);
    }

    private String token(Map<String, Object> body) {
        HttpResponse<String> r = admin.postJson("/api/v1/install-tokens", body);
        assertEquals(201, r.statusCode(), r.body());
        return (String) Api.parse(r).get("token");
    }

    private HttpResponse<String> enroll(String token, Csrs.Csr csr) {
        return anonymous.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(Map.of("csr", csr.pem()))))
                        .build());
    }

    private static String serial(HttpResponse<String> r) {
        assertEquals(201, r.statusCode(), r.body());
        return (String) Api.parse(r).get("serial");
    }

    private static String message(HttpResponse<String> r) {
        return String.valueOf(Api.parse(r).get("message"));
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, Api.parse(r).get("error"), r.body());
    }
}
