package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two appliances on one PostgreSQL, both issuing and revoking, both with their jobs on (fast schedules): no serial
 * or CRL number twice, CRLs made by one replica at a time (their [start, stored] intervals never overlap) and
 * stored in number order, every revocation on a CRL at the end, and the audit chain intact.
 */
class TwoReplicasTest {
    static final Duration RUN = Duration.ofSeconds(Integer.getInteger("replicas.seconds", 5));

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void replicasShareOneStore() throws Exception {
        TestAppliance app = TestAppliance.postgres()
                .with("pki.crl.publish-delay", "200ms")
                .with("pki.crl.check-interval", "1s")
                .with("pki.jobs.interval", "2s")
                .with("pki.jobs.initial-delay", "1s")
                .initialize();
        Path dir = Files.createTempDirectory(app.dir(), "replicas");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        int[] ports = new int[2];
        List<ApplianceProcess> replicas = new ArrayList<>();
        Set<String> revoked = ConcurrentHashMap.newKeySet();
        AtomicInteger revokeFailures = new AtomicInteger();
        List<Load> loads = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                // each host its own anchor, seeded from the one ca init wrote (a non-empty log without one is refused)
                Files.copy(app.dir().resolve("audit/anchor"), app.dir().resolve("audit/anchor-" + i));
                replicas.add(ApplianceProcess.start(
                        app,
                        Map.of(
                                "pki.audit.anchor-file",
                                app.dir().resolve("audit/anchor-" + i).toString())));
                // one after the other: two processes opening one SoftHSM token's files at once got CKR_GENERAL_ERROR
                // once in a run of the suite (replicas of a real deployment share a network HSM)
                assertTrue(
                        replicas.get(i).awaitHealthy(app.anonymousSsl(), ApplianceProcess.START),
                        replicas.get(i).log());
                ports[i] = replicas.get(i).port();
            }
            for (int port : ports) {
                loads.add(Load.start(app.adminSsl(), port, csr, 3));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> revokers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Api api = new Api(app.adminSsl(), ports[i % 2]);
                Load source = loads.get((i + 1) % 2); // revoke what the other replica issued
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        String serial = source.issued().stream()
                                .filter(s -> !revoked.contains(s))
                                .findAny()
                                .orElse(null);
                        if (serial == null || !revoked.add(serial)) {
                            sleep(20);
                            continue;
                        }
                        try {
                            HttpResponse<String> r = api.postJson(
                                    "/api/v1/certificates/" + serial + "/revoke", Map.of("reason", "keyCompromise"));
                            if (r.statusCode() != 200) {
                                revokeFailures.incrementAndGet();
                            }
                        } catch (RuntimeException e) { // counted, not a revoker gone quiet
                            revokeFailures.incrementAndGet();
                        }
                    }
                });
                t.start();
                revokers.add(t);
            }
            Thread.sleep(RUN.toMillis());
            // an outcome, not a count in a window: the run goes on until the replicas have published CRLs
            long published = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
            while (crlCount(app) < 2 && System.nanoTime() < published) {
                Thread.sleep(200);
            }
            running.set(false);
            for (Thread t : revokers) {
                t.join(30_000);
            }
            for (Load l : loads) {
                l.close();
            }
            assertEquals(0, revokeFailures.get(), "revocations refused");
            // the replicas publish what is still owed within their delay
            awaitCaughtUp(app);
        } finally {
            for (ApplianceProcess r : replicas) {
                r.close();
            }
        }
        Set<String> issued = new HashSet<>();
        loads.forEach(l -> issued.addAll(l.issued()));
        int total = loads.stream().mapToInt(l -> l.issued().size()).sum();
        assertEquals(total, issued.size(), "the same serial answered twice");

        // verify seals anything still pending, so the audit order read below is the chain's
        Shell.Result audit = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(0, audit.exit(), audit.output());
        try (Connection c = db(app)) {
            // every 201 is stored; a request the client gave up on (Load's timeout) may have been stored too
            Set<String> stored = serials(c, "SELECT serial FROM certificates WHERE service IS NULL");
            Set<String> lost = new HashSet<>(issued);
            lost.removeAll(stored);
            assertEquals(Set.of(), lost, "answered 201, not stored");
            int gaveUp = loads.stream().mapToInt(Load::failures).sum();
            assertTrue(
                    stored.size() - issued.size() <= gaveUp,
                    stored.size() + " stored, " + issued.size() + " answered 201, " + gaveUp + " requests failed");
            assertEquals(revoked.size(), count(c, "SELECT COUNT(*) FROM certificates WHERE status = 'revoked'"));
            List<long[]> crls = new ArrayList<>(); // number, started, stored
            Map<String, Integer> byHolder = new HashMap<>();
            try (ResultSet rs = c.createStatement()
                    .executeQuery(
                            "SELECT at, details FROM audit_log WHERE action = 'crl.issue' AND subject LIKE 'crl:issuing%' ORDER BY seq")) {
                while (rs.next()) {
                    String details = rs.getString(2);
                    long number = Long.parseLong(details.replaceAll(".*number=(\\d+).*", "$1"));
                    Instant started = Instant.parse(details.replaceAll(".*started=(\\S+).*", "$1"));
                    crls.add(new long[] {
                        number, started.toEpochMilli(), rs.getTimestamp(1).getTime()
                    });
                    byHolder.merge(details.replaceAll(".*by=(\\S+).*", "$1"), 1, Integer::sum);
                }
            }
            for (int i = 1; i < crls.size(); i++) {
                assertTrue(crls.get(i)[0] > crls.get(i - 1)[0], "CRL numbers grow in the order CRLs are stored");
                assertTrue(
                        crls.get(i)[1] >= crls.get(i - 1)[2],
                        "CRL #" + crls.get(i)[0] + " started before #" + crls.get(i - 1)[0]
                                + " was stored: two replicas made CRLs at once");
            }
            System.out.printf(
                    "two replicas: %d certificates issued, %d revoked, %d CRLs (by %s)%n",
                    issued.size(), revoked.size(), crls.size(), byHolder);
            assertTrue(crls.size() >= 2, "CRLs were published during the run");
        }
    }

    private static void awaitCaughtUp(TestAppliance app) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (System.nanoTime() < deadline) {
            try (Connection c = db(app)) {
                if (count(c, "SELECT COUNT(*) FROM crl_state WHERE role = 'issuing' AND revision = published_revision")
                        == 1) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the replicas did not publish a CRL covering every revocation");
    }

    private static long crlCount(TestAppliance app) throws Exception {
        try (Connection c = db(app)) {
            return count(
                    c, "SELECT COUNT(*) FROM audit_log WHERE action = 'crl.issue' AND subject LIKE 'crl:issuing%'");
        }
    }

    private static Connection db(TestAppliance app) throws Exception {
        return DriverManager.getConnection(app.properties().get("datasources.default.url"), "pki", "");
    }

    private static Set<String> serials(Connection c, String sql) throws Exception {
        Set<String> serials = new HashSet<>();
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                serials.add(rs.getString(1));
            }
        }
        return serials;
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
