package dev.hsmca.appliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.acme.AcmeTestClient;
import dev.hsmca.appliance.acme.Http01Server;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Csrs;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.appliance.x509.SubjectNames;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The policy's promise through the real front ends of a running appliance (SoftHSM, H2, HTTPS): random install-token
 * grants and random CSRs over REST, then chains of renewals over mTLS, and random EAB bindings, orders and CSRs over
 * ACME. Whatever is issued names only what was granted, its CN is one of its names or a granted client name, and it
 * lives no longer than the first grant's cap. Few tries (each is a handful of HTTPS requests and HSM signatures);
 * {@link PolicyAuthorityProperties} covers the decisions themselves by the thousand.
 */
class FrontEndPolicyProperties {
    static final List<String> DNS = List.of("api.fe.test", "db.fe.test", "*.fe.test", "x.y.fe.test", "web.internal");
    static final List<String> IPS = List.of("10.1.0.1", "10.1.0.2");
    static final List<String> CNS = List.of("agent-foo", "agent-bar");
    static final List<String> URIS = List.of("spiffe://fe/a", "spiffe://fe/b");
    static final List<String> ASKED_CN = List.of(
            "api.fe.test",
            "API.FE.TEST",
            "q.fe.test",
            "agent-foo",
            "agent-bar",
            "10.1.0.1",
            "db_admin",
            "Some Service",
            "evil\nx.fe.test",
            "web.internal.");
    static final List<String> ACME_NAMES = List.of("a.acme.test", "b.acme.test", "c.w.acme.test", "d.w.acme.test");

    static TestAppliance app;
    static EmbeddedServer server;
    static Http01Server web;
    static final Map<String, String> HTTP01 = new ConcurrentHashMap<>();
    static Api admin;
    static Api anonymous;

    record TokenGrant(
            String profile, List<String> dns, List<String> ips, List<String> cns, List<String> uris, int maxDays) {
        Collection<String> patterns() {
            return dns;
        }
    }

    record Ask(String cn, List<String> dns, List<String> ips, List<String> uris, String validity) {}

    record RestChain(TokenGrant grant, Ask first, List<Ask> renewals) {}

    record AcmeCase(List<String> allowed, List<String> ordered, Ask ask, boolean exactCsr) {}

    @BeforeContainer
    static void start() {
        web = Http01Server.tokens(HTTP01);
        app = TestAppliance.h2()
                .with("pki.profiles.agent.key-usage", "digitalSignature")
                .with("pki.profiles.agent.extended-key-usage", "clientAuth")
                .with("pki.profiles.agent.max-validity-days", "30")
                .with("pki.profiles.agent.subject", "C=US,O=KubeAtlas")
                .initialize();
        Map<String, Object> p = new HashMap<>(app.properties());
        p.put("pki.acme.http01-port", Integer.toString(web.port()));
        p.put("pki.acme.resolve", "*.acme.test=127.0.0.1");
        p.put("pki.acme.orders-per-hour", "1000");
        p.put("pki.acme.validation.allow-private-addresses", "true"); // the test web server is on loopback
        server = ApplicationContext.run(EmbeddedServer.class, p, "test");
        admin = new Api(app.adminSsl(), server.getPort());
        anonymous = new Api(app.anonymousSsl(), server.getPort());
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (web != null) {
            web.close();
        }
    }

    @Property(tries = 16)
    void restIssuanceAndRenewalChainsStayInsideTheToken(@ForAll("restChains") RestChain chain) {
        Statistics.coverage(c -> c.check("issued").count(n -> n > 0));
        TokenGrant grant = chain.grant();
        Ask first = chain.first();
        List<Ask> renewals = chain.renewals();
        Map<String, Object> body = new HashMap<>(Map.of(
                "service",
                "fe",
                "profile",
                grant.profile(),
                "allowed_dns",
                grant.dns(),
                "allowed_ips",
                grant.ips(),
                "allowed_cn",
                grant.cns(),
                "allowed_uris",
                grant.uris(),
                "max_validity_days",
                grant.maxDays()));
        HttpResponse<String> created = admin.postJson("/api/v1/install-tokens", body);
        assertEquals(201, created.statusCode(), created.body());
        String token = (String) Api.parse(created).get("token");
        Csrs.Csr csr = csr(first);
        HttpResponse<String> issued = send(token, csr, first.validity());
        Instant after = Instant.now();
        if (issued.statusCode() != 201) {
            assertRefusal(issued);
            Statistics.collect("refused");
            return;
        }
        Statistics.collect("issued");
        assertInside(grant, issued, after);
        for (Ask renewal : renewals) {
            Csrs.Csr next = csr(renewal);
            Api holder = new Api(
                    csr.identity(app, (String) Api.parse(issued).get("certificate_pem"), (String)
                            Api.parse(issued).get("chain_pem")),
                    server.getPort());
            Map<String, Object> renewBody = new HashMap<>(Map.of("csr", next.pem()));
            if (renewal.validity() != null) {
                renewBody.put("validity", renewal.validity());
            }
            HttpResponse<String> renewed = holder.postJson("/api/v1/certificates/renew", renewBody);
            Instant renewedAt = Instant.now();
            if (renewed.statusCode() != 201) {
                assertRefusal(renewed);
                continue;
            }
            assertInside(grant, renewed, renewedAt);
            csr = next;
            issued = renewed;
        }
    }

    @Property(tries = 12)
    void acmeIssuesOnlyTheOrderedAndBoundNames(@ForAll("acmeCases") AcmeCase acme) throws Exception {
        Statistics.coverage(c -> c.check("acme issued").count(n -> n > 0));
        List<String> allowed = acme.allowed();
        List<String> ordered = acme.ordered();
        Ask ask = acme.ask();
        boolean exactCsr = acme.exactCsr();
        HttpResponse<String> eab =
                admin.postJson("/api/v1/acme/eab", Map.of("service", "acme-fe", "allow_dns", allowed));
        assertEquals(201, eab.statusCode(), eab.body());
        AcmeTestClient c = new AcmeTestClient(app.anonymousSsl(), server.getPort());
        Map<String, Object> key = Api.parse(eab);
        assertEquals(
                201,
                c.register(c.binding((String) key.get("kid"), (String) key.get("hmac_key")))
                        .status());
        AcmeTestClient.Reply order = c.newOrder(ordered.toArray(String[]::new));
        if (order.status() != 201) {
            assertEquals("rejectedIdentifier", order.problem(), order.body());
            Statistics.collect("acme rejected");
            assertTrue(ordered.stream().anyMatch(n -> allowed.stream().noneMatch(p -> Names.matches(p, n))));
            return;
        }
        for (String authz : AcmeTestClient.list(order.json(), "authorizations")) {
            Map<String, Object> ch = c.challenge(authz, "http-01");
            HTTP01.put((String) ch.get("token"), c.keyAuthorization((String) ch.get("token")));
            c.post((String) ch.get("url"), Map.of());
            assertEquals("valid", c.pollWhile(authz, "pending", "processing").get("status"));
        }
        Map<String, Object> ready = c.pollWhile(order.location(), "pending");
        Ask asked = exactCsr ? new Ask(ask.cn(), ordered, List.of(), List.of(), null) : ask;
        String der = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Base64.getMimeDecoder().decode(csr(asked).pem().replaceAll("-----[A-Z ]+-----", "")));
        AcmeTestClient.Reply f = c.post((String) ready.get("finalize"), Map.of("csr", der));
        Instant after = Instant.now();
        if (f.status() != 200) {
            assertEquals("badCSR", f.problem(), f.body());
            Statistics.collect("acme badCSR");
            return;
        }
        Statistics.collect("acme issued");
        Map<String, Object> done = c.pollWhile(order.location(), "processing");
        X509Certificate leaf = AcmeTestClient.certificates(
                        c.post((String) done.get("certificate"), null).body())
                .get(0);
        assertEquals(new TreeSet<>(ordered), new TreeSet<>(AcmeTestClient.dnsNames(leaf)), "exactly the order's names");
        AcmeTestClient.dnsNames(leaf).forEach(n -> assertTrue(allowed.stream().anyMatch(p -> Names.matches(p, n))));
        String cn = commonName(leaf);
        assertTrue(cn == null || ordered.contains(cn), "CN " + cn);
        assertTrue(!leaf.getNotAfter().toInstant().isAfter(after.plus(Duration.ofDays(397))));
    }

    private static void assertInside(TokenGrant grant, HttpResponse<String> issued, Instant after) {
        X509Certificate cert = Csrs.certificate((String) Api.parse(issued).get("certificate_pem"));
        List<String> dns = sans(cert, 2);
        List<String> ips = sans(cert, 7);
        List<String> uris = sans(cert, 6);
        dns.forEach(n ->
                assertTrue(grant.patterns().stream().anyMatch(p -> Names.matches(p, n)), n + " not in " + grant));
        ips.forEach(n -> assertTrue(grant.ips().contains(n), n + " not in " + grant));
        uris.forEach(n -> assertTrue(grant.uris().contains(n), n + " not in " + grant));
        String cn = commonName(cert);
        assertTrue(
                cn == null
                        || dns.contains(cn)
                        || ips.contains(cn)
                        || grant.cns().contains(cn),
                "CN " + cn + " for " + grant);
        assertTrue(
                !cert.getNotAfter().toInstant().isAfter(after.plus(Duration.ofDays(grant.maxDays()))),
                "lives past the token's " + grant.maxDays() + " days: " + cert.getNotAfter());
    }

    private static void assertRefusal(HttpResponse<String> r) {
        assertTrue(r.statusCode() == 400 || r.statusCode() == 403, r.statusCode() + " " + r.body());
        assertTrue(Api.parse(r).get("error") instanceof String, r.body());
    }

    private static HttpResponse<String> send(String token, Csrs.Csr csr, String validity) {
        Map<String, Object> body = new HashMap<>(Map.of("csr", csr.pem()));
        if (validity != null) {
            body.put("validity", validity);
        }
        return anonymous.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(body)))
                        .build());
    }

    private static Csrs.Csr csr(Ask a) {
        return Csrs.of(
                a.cn(),
                a.dns().stream()
                        .filter(n -> !n.contains("*") || n.startsWith("*."))
                        .toList(),
                a.ips(),
                a.uris());
    }

    private static List<String> sans(X509Certificate c, int type) {
        try {
            var all = c.getSubjectAlternativeNames();
            return all == null
                    ? List.of()
                    : all.stream()
                            .filter(n -> (Integer) n.get(0) == type)
                            .map(n -> type == 7 ? Names.ipAddress((String) n.get(1)) : (String) n.get(1))
                            .toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String commonName(X509Certificate c) {
        return SubjectNames.commonName(c.getSubjectX500Principal().getName());
    }

    @Provide
    Arbitrary<RestChain> restChains() {
        Arbitrary<List<String>> dns =
                Arbitraries.of(DNS).list().ofMinSize(1).ofMaxSize(DNS.size()).uniqueElements();
        Arbitrary<TokenGrant> tokens = Combinators.combine(
                        Arbitraries.of("tls-server-client", "tls-client", "agent"),
                        dns,
                        subset(IPS),
                        subset(CNS),
                        subset(URIS),
                        Arbitraries.integers().between(1, 30))
                .as(TokenGrant::new);
        return tokens.flatMap(t -> Combinators.combine(asks(t), asks(t).list().ofMaxSize(3))
                .as((first, renewals) -> new RestChain(t, first, renewals)));
    }

    /** Mostly what the token grants, sometimes anything; lifetimes under, at and over its cap. */
    private static Arbitrary<Ask> asks(TokenGrant t) {
        List<String> dns = t.dns().stream()
                .map(n -> n.startsWith("*.") ? "q" + n.substring(1) : n)
                .toList();
        List<String> cns = new ArrayList<>(dns);
        cns.addAll(t.cns());
        cns.addAll(t.ips());
        List<String> anyDns = new ArrayList<>(DNS);
        anyDns.addAll(List.of("q.fe.test", "evil.test"));
        Arbitrary<String> cn = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(null)),
                Tuple.of(6, cns.isEmpty() ? Arbitraries.just(null) : Arbitraries.of(cns)),
                Tuple.of(1, Arbitraries.of(ASKED_CN)));
        return Combinators.combine(
                        cn,
                        Arbitraries.frequencyOf(Tuple.of(8, subset(dns)), Tuple.of(1, subset(anyDns))),
                        Arbitraries.frequencyOf(
                                Tuple.of(8, subset(t.ips())), Tuple.of(1, subset(List.of("10.1.0.1", "10.9.9.9")))),
                        Arbitraries.frequencyOf(Tuple.of(8, subset(t.uris())), Tuple.of(1, subset(URIS))),
                        Arbitraries.of("1h", "1d", t.maxDays() + "d", "31d", "400d")
                                .injectNull(0.4))
                .as(Ask::new);
    }

    @Provide
    Arbitrary<AcmeCase> acmeCases() {
        Arbitrary<List<String>> bindings = Arbitraries.of("a.acme.test", "b.acme.test", "*.w.acme.test")
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .uniqueElements();
        return bindings.flatMap(allowed -> {
            List<String> names = ACME_NAMES.stream()
                    .filter(n -> allowed.stream().anyMatch(p -> Names.matches(p, n)))
                    .toList();
            Arbitrary<List<String>> ordered = Arbitraries.frequencyOf(
                    Tuple.of(
                            4,
                            Arbitraries.of(names)
                                    .list()
                                    .ofMinSize(1)
                                    .ofMaxSize(3)
                                    .uniqueElements()),
                    Tuple.of(
                            1,
                            Arbitraries.of(ACME_NAMES)
                                    .list()
                                    .ofMinSize(1)
                                    .ofMaxSize(3)
                                    .uniqueElements()));
            return ordered.flatMap(o -> Combinators.combine(
                            Arbitraries.frequencyOf(
                                    Tuple.of(4, Arbitraries.just(null)),
                                    Tuple.of(4, Arbitraries.of(o)),
                                    Tuple.of(1, Arbitraries.of(ASKED_CN))),
                            subset(ACME_NAMES),
                            Arbitraries.frequencyOf(
                                    Tuple.of(9, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))))
                    .as((cn, other, exact) ->
                            new AcmeCase(allowed, o, new Ask(cn, other, List.of(), List.of(), null), exact)));
        });
    }

    private static Arbitrary<List<String>> subset(List<String> pool) {
        if (pool.isEmpty()) {
            return Arbitraries.just(List.of());
        }
        return Arbitraries.of(pool).list().ofMaxSize(pool.size()).uniqueElements();
    }
}
