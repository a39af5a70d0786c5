package dev.hsmca.appliance.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.audit.Refusals;
import dev.hsmca.appliance.store.AuditEntry;
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
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Enrollment keys over HTTP as a service uses them: each use a normal issuance within the key's names, profile and
 * lifetime cap, counted; a key used up, expired, revoked or past its hour refused (403/429) with nothing issued; a
 * key that is not genuine refused with 401 and nothing durable written but the aggregated refusal count.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnrollKeyHttpTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    @Inject
    EnrollKeyRepository keys;

    @Inject
    AuditLog audit;

    @Inject
    Refusals refusals;

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
    void eachUseIsAnIssuanceWithinTheKeyUntilItIsUsedUp() {
        Map<String, Object> created = create(Map.of(
                "service",
                "shop",
                "allowed_dns",
                List.of("api.shop.example", "*.shop.svc.cluster.local"),
                "max_uses",
                2,
                "max_validity",
                "7d",
                "label",
                "shop deployment"));
        String key = (String) created.get("key");
        String id = (String) created.get("id");
        assertTrue(key.startsWith("hek_" + id + "_"), key);
        assertEquals("active", created.get("state"));
        assertEquals(2, created.get("remaining"));
        assertEquals("7d", created.get("max_validity"));
        assertEquals("tls-server", created.get("profile"));
        EnrollKey stored = keys.findById(id).orElseThrow();
        assertFalse(stored.secretHash().contains(key.substring(key.lastIndexOf('_') + 1)), "the secret is hashed");

        // names outside the key: a second label below the wildcard, another domain; a profile it does not allow
        long before = certificates.count();
        assertError(
                use(key, Csrs.of(null, List.of("a.b.shop.svc.cluster.local"), List.of(), List.of())),
                403,
                "name_not_allowed");
        assertError(use(key, Csrs.of("evil.example", List.of(), List.of(), List.of())), 403, "name_not_allowed");
        assertError(
                use(
                        key,
                        Map.of("profile", "tls-server-client"),
                        Csrs.of("api.shop.example", List.of(), List.of(), List.of())),
                403,
                "profile_not_allowed");
        assertError(
                use(key, Map.of("validity", "8d"), Csrs.of("api.shop.example", List.of(), List.of(), List.of())),
                403,
                "validity_not_allowed");
        HttpResponse<String> badCsr = anonymous.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"csr\":\"not a CSR\"}"))
                        .build());
        assertError(badCsr, 400, null);
        assertEquals(before, certificates.count());
        assertEquals(0, keys.findById(id).orElseThrow().uses(), "no refusal counted a use");

        HttpResponse<String> first =
                use(key, Csrs.of(null, List.of("cart.shop.svc.cluster.local"), List.of(), List.of()));
        assertEquals(201, first.statusCode(), first.body());
        X509Certificate cert = Csrs.certificate((String) Api.parse(first).get("certificate_pem"));
        assertEquals(
                "CN=cart.shop.svc.cluster.local", cert.getSubjectX500Principal().getName());
        Duration left = Duration.between(Instant.now(), cert.getNotAfter().toInstant());
        assertTrue(left.compareTo(Duration.ofDays(7)) <= 0, "lives " + left);
        String serial = (String) Api.parse(first).get("serial");
        assertEquals(
                Duration.ofDays(7).toSeconds(),
                certificates.findById(serial).orElseThrow().maxValiditySeconds(),
                "the cap is kept with the certificate for its renewals");

        HttpResponse<String> second = use(key, Csrs.of("api.shop.example", List.of(), List.of(), List.of()));
        assertEquals(201, second.statusCode(), second.body());
        long issued = certificates.count();
        assertEquals(before + 2, issued);

        assertError(
                use(key, Csrs.of("api.shop.example", List.of(), List.of(), List.of())), 403, "enroll_key_exhausted");
        assertEquals(issued, certificates.count(), "nothing issued past the count");

        Map<String, Object> listed = listed(id);
        assertEquals("exhausted", listed.get("state"));
        assertEquals(2, listed.get("uses"));
        assertEquals(0, listed.get("remaining"));
        assertNull(listed.get("key"), "the key is shown once");
        assertEquals(Api.parse(second).get("serial"), listed.get("last_serial"));

        // each use is audited with the key's id
        List<AuditEntry> entries = audit.search(Instant.EPOCH, null, 0, 10_000);
        assertTrue(
                entries.stream()
                        .anyMatch(e -> e.action().equals("certificate.issue")
                                && e.subject().equals("certificate:" + serial)
                                && e.actor().startsWith("enroll-key:" + id)
                                && e.details().contains("enroll_key=" + id)),
                "issuance audited with the key");
        assertEquals(
                2,
                entries.stream()
                        .filter(e -> e.action().equals("enroll_key.use")
                                && e.subject().equals("enroll-key:" + id))
                        .count());
        assertTrue(entries.stream()
                .anyMatch(e ->
                        e.action().equals("enroll_key.create") && e.subject().equals("enroll-key:" + id)));
    }

    @Test
    void anExpiredKeyIsRefusedAndIssuesNothing() {
        Map<String, Object> created =
                create(Map.of("service", "old", "allowed_dns", List.of("old.example"), "expires", "1h"));
        String id = (String) created.get("id");
        EnrollKey k = keys.findById(id).orElseThrow();
        keys.update(new EnrollKey(
                k.id(),
                k.secretHash(),
                k.service(),
                k.allowedDns(),
                k.allowedIps(),
                k.profile(),
                k.maxValiditySeconds(),
                k.maxUses(),
                k.perHour(),
                k.uses(),
                k.windowStart(),
                k.windowUses(),
                Instant.now().minusSeconds(1),
                k.createdAt(),
                k.createdBy(),
                k.lastUsedAt(),
                k.lastSerial(),
                k.revokedAt(),
                k.label()));
        long before = certificates.count();
        assertError(
                use((String) created.get("key"), Csrs.of("old.example", List.of(), List.of(), List.of())),
                403,
                "enroll_key_expired");
        assertEquals(before, certificates.count());
        assertEquals("expired", listed(id).get("state"));
    }

    @Test
    void aRevokedKeyIsRefusedAndIssuesNothing() {
        Map<String, Object> created = create(Map.of("service", "gone", "allowed_dns", List.of("gone.example")));
        String key = (String) created.get("key");
        String id = (String) created.get("id");
        HttpResponse<String> ok = use(key, Csrs.of("gone.example", List.of(), List.of(), List.of()));
        assertEquals(201, ok.statusCode(), ok.body());

        HttpResponse<String> revoked = admin.post("/api/v1/enroll-keys/" + id + "/revoke", "application/json", "");
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals("revoked", Api.parse(revoked).get("state"));
        assertError(
                admin.post("/api/v1/enroll-keys/" + id + "/revoke", "application/json", ""),
                409,
                "enroll_key_not_revocable");
        assertError(
                admin.post("/api/v1/enroll-keys/0123456789abcdef/revoke", "application/json", ""),
                404,
                "enroll_key_not_found");

        long before = certificates.count();
        assertError(use(key, Csrs.of("gone.example", List.of(), List.of(), List.of())), 403, "enroll_key_revoked");
        assertEquals(before, certificates.count());
        assertTrue(audit.search(Instant.EPOCH, null, 0, 10_000).stream()
                .anyMatch(e ->
                        e.action().equals("enroll_key.revoke") && e.subject().equals("enroll-key:" + id)));
    }

    @Test
    void aKeyPastItsHourIsRateLimited() {
        Map<String, Object> created =
                create(Map.of("service", "hourly", "allowed_dns", List.of("hourly.example"), "per_hour", 1));
        String key = (String) created.get("key");
        HttpResponse<String> ok = use(key, Csrs.of("hourly.example", List.of(), List.of(), List.of()));
        assertEquals(201, ok.statusCode(), ok.body());
        long before = certificates.count();
        HttpResponse<String> second = use(key, Csrs.of("hourly.example", List.of(), List.of(), List.of()));
        assertError(second, 429, "enroll_key_rate_limited");
        assertEquals(before, certificates.count());

        // an hour after the window began, the next use starts a new window (the UPDATE reads the row as it was)
        EnrollKey k = keys.findById((String) created.get("id")).orElseThrow();
        Instant hourAgo = Instant.now().minus(Duration.ofMinutes(61));
        keys.update(new EnrollKey(
                k.id(),
                k.secretHash(),
                k.service(),
                k.allowedDns(),
                k.allowedIps(),
                k.profile(),
                k.maxValiditySeconds(),
                k.maxUses(),
                k.perHour(),
                k.uses(),
                hourAgo,
                k.windowUses(),
                k.expiresAt(),
                k.createdAt(),
                k.createdBy(),
                k.lastUsedAt(),
                k.lastSerial(),
                k.revokedAt(),
                k.label()));
        HttpResponse<String> nextHour = use(key, Csrs.of("hourly.example", List.of(), List.of(), List.of()));
        assertEquals(201, nextHour.statusCode(), nextHour.body());
        EnrollKey after = keys.findById(k.id()).orElseThrow();
        assertEquals(2, after.uses());
        assertEquals(1, after.windowUses(), "a new window with this use");
        assertTrue(after.windowStart().isAfter(hourAgo.plusSeconds(60)), "the window starts at this use");
        assertError(
                use(key, Csrs.of("hourly.example", List.of(), List.of(), List.of())), 429, "enroll_key_rate_limited");
    }

    @Test
    void aKeyThatIsNotGenuineGets401AndOnlyTheAggregatedRefusal() {
        Map<String, Object> created = create(Map.of("service", "genuine", "allowed_dns", List.of("genuine.example")));
        String key = (String) created.get("key");
        String id = (String) created.get("id");
        String wrongSecret = key.substring(0, key.length() - 3) + (key.endsWith("AAA") ? "BBB" : "AAA");
        refusals.flush();
        long sealedBefore = lastSeq();
        long before = certificates.count();
        Csrs.Csr csr = Csrs.of("genuine.example", List.of(), List.of(), List.of());
        assertError(use(wrongSecret, csr), 401, "enroll_key_invalid");
        assertError(use("hek_" + id + "_short", csr), 401, "enroll_key_invalid");
        assertError(
                use("hek_ffffffffffffffff_" + key.substring(key.lastIndexOf('_') + 1), csr), 401, "enroll_key_invalid");
        HttpResponse<String> revoked = admin.post("/api/v1/enroll-keys/" + id + "/revoke", "application/json", "");
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertError(use(key, csr), 403, "enroll_key_revoked");
        assertEquals(before, certificates.count());
        assertEquals(0, keys.findById(id).orElseThrow().uses());
        assertEquals(
                List.of("enroll_key.revoke"),
                audit.search(Instant.EPOCH, null, sealedBefore, 10_000).stream()
                        .map(AuditEntry::action)
                        .filter(a -> !a.equals(Refusals.ACTION))
                        .toList(),
                "the refusals wrote no row of their own");

        refusals.flush();
        List<AuditEntry> denied = audit.search(Instant.EPOCH, Refusals.ACTION, sealedBefore, 10_000);
        assertEquals(3, counted(denied, "anonymous@", "enroll_key.use enroll_key_invalid"), denied.toString());
        assertEquals(
                1,
                counted(denied, "enroll-key:" + id + "@", "enroll_key.use enroll_key_revoked"),
                "the refusal names the credential: " + denied);
    }

    private long lastSeq() {
        List<AuditEntry> all = audit.search(Instant.EPOCH, null, 0, 1_000_000);
        return all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
    }

    /** What the aggregated refusal entries from {@code actor} count for {@code what} (a background flush may split them). */
    private static long counted(List<AuditEntry> entries, String actor, String what) {
        Pattern p = Pattern.compile(Pattern.quote(what) + "=(\\d+)");
        long n = 0;
        for (AuditEntry e : entries) {
            if (e.actor().startsWith(actor)) {
                Matcher m = p.matcher(e.details());
                while (m.find()) {
                    n += Long.parseLong(m.group(1));
                }
            }
        }
        return n;
    }

    @Test
    void aHugeValidityIsA400NotAStackOverflow() {
        Map<String, Object> created = create(Map.of("service", "long", "allowed_dns", List.of("long.example")));
        String key = (String) created.get("key");
        String id = (String) created.get("id");
        String huge = "1d".repeat(10_000); // the old pattern's repeated group recursed once per "1d"
        Csrs.Csr csr = Csrs.of("long.example", List.of(), List.of(), List.of());
        long before = certificates.count();
        List<HttpResponse<String>> refused = List.of(
                use(key, Map.of("validity", huge), csr),
                admin.postJson("/api/v1/certificates", Map.of("csr", csr.pem(), "validity", huge)),
                admin.postJson(
                        "/api/v1/enroll-keys",
                        Map.of("service", "long", "allowed_dns", List.of("long.example"), "expires", huge)),
                admin.postJson(
                        "/api/v1/enroll-keys",
                        Map.of("service", "long", "allowed_dns", List.of("long.example"), "max_validity", huge)));
        for (HttpResponse<String> r : refused) {
            assertError(r, 400, "invalid_validity");
            assertTrue(
                    r.body().length() < 400,
                    "the input is not echoed whole: " + r.body().length());
        }
        assertEquals(before, certificates.count());
        assertEquals(0, keys.findById(id).orElseThrow().uses(), "no use counted");
        assertEquals(1, keys.list("long", "", Instant.now(), 10).size(), "no key made");
    }

    @Test
    void aGenuineKeysPolicyRefusalsAreRecordedAgainstTheKey() {
        Map<String, Object> created = create(Map.of("service", "probe", "allowed_dns", List.of("probe.example")));
        String key = (String) created.get("key");
        String id = (String) created.get("id");
        refusals.flush();
        long sealedBefore = lastSeq();
        assertError(use(key, Csrs.of("evil.example", List.of(), List.of(), List.of())), 403, "name_not_allowed");
        assertError(
                use(key, Map.of("validity", "soon"), Csrs.of("probe.example", List.of(), List.of(), List.of())),
                400,
                "invalid_validity");
        assertError(
                use(
                        key,
                        Map.of("profile", "tls-server-client"),
                        Csrs.of("probe.example", List.of(), List.of(), List.of())),
                403,
                "profile_not_allowed");
        assertEquals(0, keys.findById(id).orElseThrow().uses());

        refusals.flush();
        List<AuditEntry> denied = audit.search(Instant.EPOCH, Refusals.ACTION, sealedBefore, 10_000);
        String source = "enroll-key:" + id + "@";
        assertEquals(1, counted(denied, source, "enroll_key.use name_not_allowed"), denied.toString());
        assertEquals(1, counted(denied, source, "enroll_key.use invalid_validity"), denied.toString());
        assertEquals(1, counted(denied, source, "enroll_key.use profile_not_allowed"), denied.toString());
    }

    @Test
    void certificatesOfARevokedKeyNoLongerRenew() {
        Map<String, Object> created = create(Map.of(
                "service",
                "fleet",
                "allowed_dns",
                List.of("fleet.example"),
                "profile",
                "tls-server-client",
                "max_validity",
                "7d"));
        String key = (String) created.get("key");
        String id = (String) created.get("id");
        Csrs.Csr firstCsr = Csrs.of("fleet.example", List.of(), List.of(), List.of());
        HttpResponse<String> first = use(key, firstCsr);
        assertEquals(201, first.statusCode(), first.body());
        Map<String, Object> issued = Api.parse(first);
        assertEquals(
                id,
                certificates
                        .findById((String) issued.get("serial"))
                        .orElseThrow()
                        .enrollKeyId());
        Api holder = new Api(
                firstCsr.identity(APP, (String) issued.get("certificate_pem"), (String) issued.get("chain_pem")),
                server.getPort());

        Csrs.Csr secondCsr = Csrs.of("fleet.example", List.of(), List.of(), List.of());
        HttpResponse<String> renewed = holder.postJson("/api/v1/certificates/renew", Map.of("csr", secondCsr.pem()));
        assertEquals(201, renewed.statusCode(), renewed.body());
        Map<String, Object> second = Api.parse(renewed);
        assertEquals(
                id,
                certificates
                        .findById((String) second.get("serial"))
                        .orElseThrow()
                        .enrollKeyId(),
                "the renewal carries the key");
        Api renewedHolder = new Api(
                secondCsr.identity(APP, (String) second.get("certificate_pem"), (String) second.get("chain_pem")),
                server.getPort());

        // what the key issued, renewals included, is found by its id (to revoke after a leak)
        HttpResponse<String> listed = admin.get("/api/v1/certificates?enroll_key=" + id);
        assertEquals(200, listed.statusCode(), listed.body());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> issuedByKey =
                (List<Map<String, Object>>) Api.parse(listed).get("certificates");
        assertEquals(
                Set.of(issued.get("serial"), second.get("serial")),
                issuedByKey.stream().map(c -> c.get("serial")).collect(Collectors.toSet()));
        assertTrue(issuedByKey.stream().allMatch(c -> id.equals(c.get("enroll_key"))), listed.body());
        assertError(admin.get("/api/v1/certificates?enroll_key=not-an-id"), 400, "invalid_enroll_key");

        HttpResponse<String> revoked = admin.post("/api/v1/enroll-keys/" + id + "/revoke", "application/json", "");
        assertEquals(200, revoked.statusCode(), revoked.body());
        long before = certificates.count();
        for (Api h : List.of(holder, renewedHolder)) {
            assertError(
                    h.postJson(
                            "/api/v1/certificates/renew",
                            Map.of(
                                    "csr",
                                    Csrs.of("fleet.example", List.of(), List.of(), List.of())
                                            .pem())),
                    403,
                    "enroll_key_revoked");
        }
        assertEquals(before, certificates.count(), "nothing renewed under a revoked key");
    }

    @Test
    void badInputIsA4xxWithTheErrorBody() {
        Map<String, Object> good = Map.of("service", "in", "allowed_dns", List.of("in.example"));
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "service", "Bad Service")), 400, null);
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "service", "admin")), 400, null);
        assertError(admin.postJson("/api/v1/enroll-keys", Map.of("service", "in")), 400, "no_names");
        assertError(
                admin.postJson("/api/v1/enroll-keys", with(good, "allowed_dns", List.of("*.*.example"))),
                400,
                "invalid_san");
        assertError(
                admin.postJson("/api/v1/enroll-keys", with(good, "allowed_ips", List.of("300.1.1.1"))),
                400,
                "invalid_san");
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "max_uses", 0)), 400, "invalid_limit");
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "per_hour", -1)), 400, "invalid_limit");
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "expires", "soon")), 400, "invalid_validity");
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "expires", "400d")), 400, "invalid_expiry");
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "max_validity", "400d")), 400, "invalid_validity");
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "profile", "admin")), 400, null);
        assertError(admin.postJson("/api/v1/enroll-keys", with(good, "label", "")), 400, "invalid_label");
        assertError(admin.post("/api/v1/enroll-keys", "application/json", "{not json"), 400, null);
        assertError(
                admin.postJson("/api/v1/enroll-keys", Map.of("allowed_dns", List.of("in.example"))),
                400,
                "invalid_service");
        assertError(
                admin.post("/api/v1/enroll-keys", "application/json", "{\"service\":\"in\",\"allowed_dns\":[null]}"),
                400,
                "invalid_san");
        assertError(
                admin.post(
                        "/api/v1/enroll-keys",
                        "application/json",
                        "{\"service\":\"in\",\"allowed_dns\":[\"in.example\"],\"max_uses\":\"many\"}"),
                400,
                null);
        assertError(
                admin.post(
                        "/api/v1/enroll-keys",
                        "application/json",
                        "{\"service\":\"in\",\"allowed_dns\":[\"in.example\"],\"max_uses\":1099511627776}"),
                400,
                null);
        assertError(
                admin.post("/api/v1/enroll-keys", "application/json", "{\"service\":\"in\",\"allowed_dns\":\"x\"}"),
                400,
                null);
        assertError(admin.get("/api/v1/enroll-keys?state=sleeping"), 400, "invalid_state");
        assertError(anonymous.postJson("/api/v1/enroll-keys", good), 401, "client_certificate_required");
        assertError(anonymous.get("/api/v1/enroll-keys"), 401, "client_certificate_required");
        assertError(
                anonymous.post("/api/v1/enroll-keys/0123456789abcdef/revoke", "application/json", ""),
                401,
                "client_certificate_required");
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> out = new HashMap<>(body);
        out.put(key, value);
        return out;
    }

    private Map<String, Object> create(Map<String, Object> body) {
        HttpResponse<String> r = admin.postJson("/api/v1/enroll-keys", body);
        assertEquals(201, r.statusCode(), r.body());
        return Api.parse(r);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> listed(String id) {
        HttpResponse<String> r = admin.get("/api/v1/enroll-keys");
        assertEquals(200, r.statusCode(), r.body());
        return ((List<Map<String, Object>>) Api.parse(r).get("enroll_keys"))
                .stream().filter(k -> id.equals(k.get("id"))).findFirst().orElseThrow();
    }

    private HttpResponse<String> use(String key, Csrs.Csr csr) {
        return use(key, Map.of(), csr);
    }

    private HttpResponse<String> use(String key, Map<String, Object> extra, Csrs.Csr csr) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("csr", csr.pem());
        return anonymous.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + "/api/v1/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(body)))
                        .build());
    }

    /** The status, and the JSON error body's code (any code when null). */
    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        Object error = Api.parse(r).get("error");
        if (code != null) {
            assertEquals(code, error, r.body());
        } else {
            assertTrue(error instanceof String, r.body());
        }
    }
}
