package dev.hsmca.appliance.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Csrs;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Workload tokens (a Kubernetes service account's projected token, here from an issuer in this JVM) exchanged for a
 * certificate: the names come from the subject through the issuer's templates, the lifetime is the issuer's short
 * cap, each token is used once (also when 20 race), and a token of another audience or issuer, a subject outside the
 * pattern, a token without jti or valid for too long, and a CSR asking for other names are refused with nothing issued.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadTokenHttpTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();
    static final FakeOidcIssuer CLUSTER = new FakeOidcIssuer();
    static final String AUDIENCE = "https://ca.internal:8443";

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    Api anonymous;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.workload.issuers.cluster.issuer", CLUSTER.issuer());
        p.put("pki.workload.issuers.cluster.audience", AUDIENCE);
        p.put("pki.workload.issuers.cluster.max-validity", "6h");
        return p;
    }

    @BeforeAll
    void setUp() {
        anonymous = new Api(APP.anonymousSsl(), server.getPort());
    }

    @AfterAll
    void stop() {
        CLUSTER.close();
    }

    @Test
    void aServiceAccountTokenBecomesItsIdentityOnce() throws Exception {
        String token = serviceAccount("shop", "api");
        HttpResponse<String> r = use(token, Csrs.of(null, List.of("api.shop.svc"), List.of(), List.of()));
        assertEquals(201, r.statusCode(), r.body());
        X509Certificate cert = Csrs.certificate((String) Api.parse(r).get("certificate_pem"));
        assertEquals(
                Set.of("api.shop.svc", "api.shop.svc.cluster.local", "spiffe://cluster.local/ns/shop/sa/api"),
                sans(cert));
        Duration lifetime = Duration.between(
                cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
        assertTrue(lifetime.compareTo(Duration.ofHours(6).plusMinutes(5)) <= 0, "lifetime " + lifetime);
        assertEquals(
                "shop-api",
                certificates
                        .findById((String) Api.parse(r).get("serial"))
                        .orElseThrow()
                        .service());

        long before = certificates.count();
        HttpResponse<String> replay = use(token, Csrs.of(null, List.of("api.shop.svc"), List.of(), List.of()));
        assertError(replay, 401, "token_replayed");
        assertEquals(before, certificates.count(), "a replayed token was issued a certificate");
    }

    @Test
    void twentyRacingUsesOfOneTokenIssueOne() throws Exception {
        WorkloadRace.run(anonymous, serviceAccount("race", "worker"), certificates);
    }

    @Test
    void wrongTokensAndWrongNamesAreRefusedWithNothingIssued() throws Exception {
        Instant now = Instant.now();
        long before = certificates.count();
        Csrs.Csr plain = Csrs.of(null, List.of(), List.of(), List.of());
        // another audience (an OIDC token for the admin API, say), another issuer
        assertError(use(sign(claims(sa("shop", "api")).audience("pki-appliance")), plain), 401, "wrong_audience");
        assertError(use(sign(claims(sa("shop", "api")).issuer("https://other.example")), plain), 401, "wrong_issuer");
        // no jti: it could not be used once
        assertError(use(sign(claims(sa("shop", "api")).jwtID(null)), plain), 401, "token_invalid");
        // valid for a week: a long-lived credential
        assertError(
                use(sign(claims(sa("shop", "api")).expirationTime(Date.from(now.plusSeconds(7 * 86400)))), plain),
                401,
                "token_too_long_lived");
        // a subject that is not a service account, and one whose name makes no service
        assertError(use(sign(claims(Map.of()).subject("alice")), plain), 403, "subject_not_allowed");
        assertError(use(serviceAccount("ops", "x".repeat(60)), plain), 403, "subject_not_allowed");
        // a CSR asking for a name the token does not make
        assertError(
                use(serviceAccount("shop", "api"), Csrs.of(null, List.of("bank.example"), List.of(), List.of())),
                403,
                "name_not_allowed");
        assertEquals(before, certificates.count(), "a refused workload token was issued a certificate");
    }

    @Test
    void aServiceBelongsToTheFirstWorkloadThatGotIt() {
        Csrs.Csr plain = Csrs.of(null, List.of(), List.of(), List.of());
        assertEquals(201, use(serviceAccount("team", "api-db"), plain).statusCode());
        long before = certificates.count();
        // team-api/db makes the same service, team-api-db: another workload's
        assertError(use(serviceAccount("team-api", "db"), plain), 403, "service_taken");
        // the owner again, with a fresh token
        assertEquals(201, use(serviceAccount("team", "api-db"), plain).statusCode());
        // the cluster's own namespaces are not for this (default, kube-*)
        assertError(use(serviceAccount("kube-system", "coredns"), plain), 403, "subject_not_allowed");
        assertError(use(serviceAccount("default", "kubernetes"), plain), 403, "subject_not_allowed");
        assertEquals(before + 1, certificates.count());
    }

    private static Map<String, Object> sa(String namespace, String name) {
        return Map.of("sub", "system:serviceaccount:" + namespace + ":" + name);
    }

    private static String serviceAccount(String namespace, String name) {
        return sign(claims(sa(namespace, name)));
    }

    /** A token of the cluster for the appliance, with these claims besides (change what a test needs wrong). */
    private static JWTClaimsSet.Builder claims(Map<String, Object> extra) {
        return CLUSTER.claims(extra).audience(AUDIENCE);
    }

    private static String sign(JWTClaimsSet.Builder claims) {
        return FakeOidcIssuer.sign(claims.build(), CLUSTER.currentKey(), JWSAlgorithm.RS256);
    }

    private static Set<String> sans(X509Certificate cert) throws Exception {
        Set<String> names = new TreeSet<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            sans.forEach(s -> names.add(String.valueOf(s.get(1))));
        }
        return names;
    }

    private HttpResponse<String> use(String jwt, Csrs.Csr csr) {
        return WorkloadRace.use(anonymous, jwt, csr);
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, Api.parse(r).get("error"), r.body());
    }
}
