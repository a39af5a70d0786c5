package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code make bench}, issuance: certificates/s over HTTPS keep-alive with 1, 4 and 16 admin clients, on H2 and on
 * PostgreSQL, the appliance in its own JVM with the deployment's options. Afterwards every 201 is in the store and
 * {@code audit verify} passes. Also the appliance's footprint, and where the time goes (a JFR profile of the 16-client
 * run on H2, summarized by {@link JfrSummary}).
 */
@Tag("bench")
class IssuanceBench {
    final List<String> rows = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    @Test
    void issuanceOnBothStores() throws Exception {
        // both tokens exist before SoftHSM is first opened in this JVM: it lists tokens once, at C_Initialize
        TestAppliance h2 = TestAppliance.h2();
        TestAppliance pg = TestAppliance.postgres();
        run("H2", h2.initialize());
        if (!BenchSupport.SMOKE) { // the smoke run checks that the bench works; the store is the tests' business
            run("PostgreSQL", pg.initialize());
        }
        StringBuilder md = new StringBuilder("## Issuance\n\nPOST /api/v1/certificates (P-256 CSR, profile tls-server) "
                + "over HTTPS (TLS 1.3) keep-alive, one connection per client, the client on the same two cores. Each "
                + "issuance signs the certificate and pre-signs two OCSP responses in SoftHSM, stores them and appends "
                + "to the audit chain before it answers 201.\n\n"
                + "CPU ms per certificate: the appliance's process, and the bench's (the clients).\n\n"
                + "| Store | Clients | certificates/s | p50 ms | p99 ms | server CPU ms | client CPU ms | answered 201 | other |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        rows.forEach(md::append);
        md.append('\n');
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        BenchSupport.writePart("20-issuance", md.toString());
    }

    void run(String store, TestAppliance app) throws Exception {
        Path dir = Files.createTempDirectory(app.dir(), "bench");
        String csr = Openssl.keyAndCsr(dir, "leaf", "bench.example.test", "DNS:bench.example.test");
        long before = E2e.certificateCount(app);
        long t0 = System.nanoTime();
        int answered = 0;
        try (ApplianceProcess appliance = ApplianceProcess.start(app, Map.of())) {
            assertTrue(appliance.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), appliance.log());
            int port = appliance.port();
            double firstAnswerMs = (System.nanoTime() - t0) / 1e6;
            BenchSupport.Rss idle = BenchSupport.Rss.of(appliance.pid());
            // JFR from before the warm-up (started later it makes the JIT recompile, and the profile shows that);
            // only the 16-client run's events are summarized
            boolean profile = store.equals("H2") && !BenchSupport.SMOKE;
            Path jfr = dir.resolve("issuance.jfr");
            if (profile) {
                jcmd(appliance.pid(), "JFR.start", "name=bench", "settings=default");
            }
            // warm-up, not reported: on 2 cores the JIT compiles for minutes under this load (H2's and BouncyCastle's
            // big methods, recompiled as new types reach them); measured once it uses under 10 % of a core
            long warmStart = System.nanoTime();
            while (true) {
                long jitBefore = BenchSupport.jitCpuMillis(appliance.pid());
                BenchSupport.Timed w = run(app, port, csr, 16, BenchSupport.run(10));
                answered = (int) (answered + w.ok());
                double jitShare = (BenchSupport.jitCpuMillis(appliance.pid()) - jitBefore) / 10_000.0;
                double seconds = (System.nanoTime() - warmStart) / 1e9;
                if (BenchSupport.SMOKE || seconds >= 240 || jitShare < 0.10) {
                    notes.add(String.format(
                            "%s: measured after %.0f s of warm-up at 16 clients, once the JIT compiler "
                                    + "used %.0f %% of a core (%,.0f/s in the last 10 s of it).",
                            store, seconds, 100 * jitShare, w.perSecond()));
                    break;
                }
            }
            long self = ProcessHandle.current().pid();
            Instant from = null;
            Instant to = null;
            for (int clients : new int[] {1, 4, 16}) {
                long serverCpu = BenchSupport.cpuMillis(appliance.pid());
                long clientCpu = BenchSupport.cpuMillis(self);
                from = Instant.now();
                BenchSupport.Timed r = run(app, port, csr, clients, BenchSupport.run(10));
                to = Instant.now();
                answered = (int) (answered + r.ok());
                double perCert = Math.max(1, r.ok());
                rows.add(print(String.format(
                        "| %s | %d | %,.0f | %.1f | %.1f | %.2f | %.2f | %d | %d |%n",
                        store,
                        clients,
                        r.perSecond(),
                        r.p(50),
                        r.p(99),
                        (BenchSupport.cpuMillis(appliance.pid()) - serverCpu) / perCert,
                        (BenchSupport.cpuMillis(self) - clientCpu) / perCert,
                        r.ok(),
                        r.failed())));
            }
            if (profile) {
                jcmd(appliance.pid(), "JFR.stop", "name=bench", "filename=" + jfr);
                notes.add(
                        "Where the time goes (JFR, default settings, recording since before the warm-up; the 16-client "
                                + "run on H2): " + JfrSummary.summarize(jfr, from, to));
            }
            BenchSupport.Rss load = BenchSupport.Rss.of(appliance.pid());
            notes.add(String.format(
                    "Appliance on %s: first answer %.0f ms after the process started; RSS idle %d MiB, "
                            + "after the load %d MiB (peak %d MiB).",
                    store, firstAnswerMs, idle.mib(), load.mib(), load.peakMib()));
        }
        // every 201 is on record, and the chain over them is intact
        assertEquals(before + answered, E2e.certificateCount(app), "every certificate answered 201 is stored");
        Shell.Result verify = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(0, verify.exit(), verify.output());
    }

    static String print(String line) {
        System.out.print(line);
        return line;
    }

    BenchSupport.Timed run(TestAppliance app, int port, String csr, int clients, Duration duration) throws Exception {
        String body = Api.json(Map.of("csr", csr, "profile", "tls-server", "validity_days", 30));
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/certificates"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return BenchSupport.timed(clients, duration, c -> {
            // a client each: one kept-alive connection per client
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(app.adminSsl())
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
            return () ->
                    client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 201;
        });
    }

    static void jcmd(long pid, String... args) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(args));
        Shell.Result r = Shell.exec(Path.of("."), cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), r.output());
    }
}
