package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code make run} as a developer uses it (scripts/run.sh in its own process group, state in a folder of its own):
 * thousands of issuances, then SIGTERM or SIGINT to the whole group, then a new run. Every certificate answered 201
 * is still there, answers good from the run's responder, and the audit chain verifies ({@code bin/appliance audit
 * verify} and {@code ca status} while it runs, and after it stopped, when the command starts make run's PostgreSQL
 * for itself and stops it again, never the default H2 store beside it); a second run on the same state is refused
 * while the first still holds it.
 */
class MakeRunStressTest {
    static final Path REPO =
            Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    static final int PER_ROUND = Integer.getInteger("stress.make-run.issuances", 250); // make stress: 2000
    /**
     * make run's JVMs with the JIT's first tier only and the serial collector, as the other process-level tests start
     * theirs: on two shared cores the optimizing compiler's work outweighs what it saves in runs this short.
     */
    static final String FAST_START = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void groupSignalsLoseNothing() throws Exception {
        Path var = Files.createTempDirectory("hsmca-makerun");
        int ocspPort = Ports.fixed(); // in the CA's certificates from the first run on: see Ports
        Set<String> told = new HashSet<>();
        for (String signal : List.of("TERM", "INT")) {
            Process run = start(var, ocspPort);
            try {
                int port = awaitHealthy(run, var);
                if ("TERM".equals(signal)) {
                    Process second = start(var, 0); // refused at the state's lock, before it binds anything
                    assertTrue(second.waitFor(60, TimeUnit.SECONDS), "a second run did not give up");
                    String out = Files.readString(var.resolve("make-run.log"));
                    assertNotEquals(0, second.exitValue(), out);
                    assertTrue(out.contains("still in use"), out);
                }
                String csr = Openssl.keyAndCsr(var, "leaf", "leaf.example.com", "DNS:leaf.example.com");
                try (Load load = Load.start(admin(var), port, csr, 16)) {
                    assertTrue(load.awaitIssued(PER_ROUND, Load.STALL), "issuance stopped or failing");
                    Shell.exec(null, "kill", "-" + signal, "--", "-" + run.pid())
                            .ok();
                    assertTrue(run.waitFor(90, TimeUnit.SECONDS), "make run did not stop on SIG" + signal);
                    load.close();
                    told.addAll(load.issued());
                }
                System.out.printf(
                        "SIG%s to the make run group: %d certificates answered 201 so far%n", signal, told.size());
            } finally {
                stopGroup(run);
            }
        }
        Process run = start(var, ocspPort);
        try {
            int port = awaitHealthy(run, var);
            Api api = new Api(admin(var), port);
            OcspCheck ocsp = new OcspCheck("http://localhost:" + ocspPort, certificate(var.resolve("ca/issuing.pem")));
            Set<String> missing = new HashSet<>();
            Map<String, Integer> statuses = new HashMap<>();
            for (String serial : told) {
                HttpResponse<String> r = api.get("/api/v1/certificates/" + serial);
                if (r.statusCode() != 200) {
                    missing.add(serial);
                }
                statuses.merge(ocsp.status(serial), 1, Integer::sum);
            }
            assertEquals(Set.of(), missing, "answered 201, gone after the restart");
            assertEquals(Map.of("good", told.size()), statuses);

            // the operator's documented local commands on this state while make run runs (its PostgreSQL is up)
            Shell.Result live = appliance(var, "audit", "verify");
            assertEquals(0, live.exit(), live.output());
            assertTrue(live.output().contains("audit log intact"), live.output());
            Shell.Result status = appliance(var, "ca", "status");
            assertEquals(0, status.exit(), status.output());
            assertTrue(status.output().contains("issuing"), status.output());
        } finally {
            stopGroup(run);
        }
        // and after it stopped: the command starts that PostgreSQL for itself and stops it again, never H2 beside it
        Shell.Result after = appliance(var, "audit", "verify");
        assertEquals(0, after.exit(), after.output());
        assertTrue(
                after.output()
                        .matches("(?s).*audit log intact: [1-9][0-9]* entries verified; anchored at entry [1-9].*"),
                after.output());
        int pgPort = Integer.parseInt(Files.readString(var.resolve("pg/port")).trim());
        assertThrows(
                IOException.class,
                () -> new Socket("127.0.0.1", pgPort).close(),
                "the command stops the PostgreSQL it started");
        assertFalse(Files.exists(var.resolve("db")), "the default H2 store was opened beside make run's state");
    }

    /** {@code bin/appliance} as an operator runs it on make run's state, from the folder above it. */
    static Shell.Result appliance(Path var, String... args) {
        String[] cmd = new String[args.length + 6];
        cmd[0] = "env";
        cmd[1] = "-u";
        cmd[2] = "SOFTHSM2_CONF";
        cmd[3] = "PKI_VAR=" + var;
        cmd[4] = "JAVA_TOOL_OPTIONS=" + FAST_START;
        cmd[5] = REPO.resolve("bin/appliance").toString();
        System.arraycopy(args, 0, cmd, 6, args.length);
        return Shell.exec(var.getParent(), cmd);
    }

    /** make run on this state, its appliance on a port the kernel picks (PKI_PORT=0, reported in appliance.port). */
    static Process start(Path var, int ocspPort) throws IOException {
        Files.deleteIfExists(var.resolve("appliance.port")); // the last run's
        ProcessBuilder pb = new ProcessBuilder(ApplianceProcess.withDefaultSigint(
                        List.of("setsid", REPO.resolve("scripts/run.sh").toString())))
                .redirectErrorStream(true);
        pb.redirectOutput(
                ProcessBuilder.Redirect.appendTo(var.resolve("make-run.log").toFile()));
        pb.environment()
                .putAll(Map.of(
                        "PKI_VAR",
                        var.toString(),
                        "PKI_PORT",
                        "0",
                        "PKI_OCSP_PORT",
                        Integer.toString(ocspPort),
                        "PKI_SKIP_BUILD",
                        "1",
                        "PKI_RUN_LOCK_WAIT",
                        "2"));
        pb.environment().remove("SOFTHSM2_CONF");
        pb.environment().put("JAVA_TOOL_OPTIONS", FAST_START);
        return pb.start();
    }

    /** Until make run's appliance answers /health; the port it reported. The deadline is for a hang only. */
    static int awaitHealthy(Process run, Path var) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        Path portFile = var.resolve("appliance.port");
        while (System.nanoTime() < deadline) {
            assertTrue(run.isAlive(), "make run exited: " + Files.readString(var.resolve("make-run.log")));
            if (Files.exists(portFile)
                    && Files.exists(var.resolve("ca/root.pem"))
                    && Files.exists(var.resolve("admin/admin.p12"))) {
                try {
                    int port = Integer.parseInt(Files.readString(portFile).trim());
                    if (new Api(trustOnly(var), port).get("/health").statusCode() == 200) {
                        return port;
                    }
                } catch (RuntimeException e) {
                    // not listening yet
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("make run did not come up: " + Files.readString(var.resolve("make-run.log")));
    }

    /** SIGTERM to the group (if still there), and wait for the script, which stops its servers and database. */
    static void stopGroup(Process run) throws InterruptedException {
        if (run.isAlive()) {
            Shell.exec(null, "kill", "-TERM", "--", "-" + run.pid());
            if (!run.waitFor(90, TimeUnit.SECONDS)) {
                Shell.exec(null, "kill", "-KILL", "--", "-" + run.pid());
            }
        }
    }

    static SSLContext trustOnly(Path var) throws Exception {
        return context(var, null, null);
    }

    static SSLContext admin(Path var) throws Exception {
        char[] password =
                Files.readString(var.resolve("admin/admin.pass")).trim().toCharArray();
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(var.resolve("admin/admin.p12"))) {
            p12.load(in, password);
        }
        return context(var, p12, password);
    }

    private static SSLContext context(Path var, KeyStore identity, char[] password) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", certificate(var.resolve("ca/root.pem")));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (identity != null) {
            kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(identity, password);
        }
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
