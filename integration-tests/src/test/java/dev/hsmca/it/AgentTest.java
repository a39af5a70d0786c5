package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/pki-agent} against a running appliance: a real nginx served from agent-managed files renews twice
 * without one failed curl; refusals and faults each with their message and exit code (used, expired and wrong-name
 * tokens, a wrong root, usage errors, the CA down during renewal, a full or read-only store folder).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentTest {
    static final Pattern RENEWED = Pattern.compile("renewed: serial ([0-9a-f]+)");

    TestAppliance app;
    ApplianceProcess appliance;
    int port;
    Api admin;
    Path dir;

    @BeforeAll
    void start() throws Exception {
        app = TestAppliance.postgres().initialize();
        // theCaDownDuringRenewal starts it again where the agent's files say the CA is: a fixed port (see Ports)
        port = Ports.fixed();
        appliance = ApplianceProcess.startOn(app, port, Map.of());
        assertTrue(appliance.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), appliance.log());
        admin = new Api(app.adminSsl(), port);
        dir = Files.createTempDirectory(app.dir(), "agent");
    }

    @AfterAll
    void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    String url() {
        return "https://localhost:" + port;
    }

    Path tokenFile(String token) throws Exception {
        Path f = Files.createTempFile(dir, "token", ".txt");
        Files.writeString(f, token + "\n");
        return f;
    }

    Shell.Result enroll(Path out, String token, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "enroll",
                "--ca-url",
                url(),
                "--root",
                app.rootPem().toString(),
                "--token-file",
                tokenFile(token).toString(),
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return Agent.run(args.toArray(String[]::new));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang is the failure
    void nginxServesRenewedCertificatesWithoutAFailedRequest() throws Exception {
        Path out = dir.resolve("nginx-pki");
        String token = Tokens.create(admin, "web", List.of("localhost"), "tls-server", 30, 3600);
        Shell.Result e = enroll(out, token, "--name", "localhost", "--validity", "5m");
        assertEquals(0, e.exit(), e.output());
        Shell.Result info = Agent.run("info", "--out", out.toString(), "--json");
        assertEquals(0, info.exit(), info.output());
        assertTrue(
                info.output().contains("\"renew_after\"") && info.output().contains("\"status\":\"valid\""),
                info.output());

        int httpsPort = Ports.fixed(); // nginx refuses 'listen ...:0' (see Ports)
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                events {}
                http {
                  access_log off;
                  client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s; uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  server {
                    listen 127.0.0.1:%2$d ssl;
                    ssl_certificate %3$s/fullchain.pem;
                    ssl_certificate_key %3$s/key.pem;
                    ssl_protocols TLSv1.3;
                    location / { return 200 "ok\\n"; }
                  }
                }
                """.formatted(dir, httpsPort, out));
        Process nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        Process daemon = null;
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread curl = new Thread(() -> {
            while (running.get()) {
                // a refused or broken request fails; --max-time is for a hang only
                Shell.Result r = Shell.exec(
                        dir,
                        "curl",
                        "-sS",
                        "--max-time",
                        "60",
                        "--cacert",
                        app.rootPem().toString(),
                        "https://localhost:" + httpsPort + "/");
                if (r.exit() == 0 && r.output().contains("ok")) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    failures.add(r.output());
                }
                sleep(200);
            }
        });
        try {
            awaitServing(httpsPort);
            Set<String> served = new LinkedHashSet<>();
            served.add(servedSerial(httpsPort));
            curl.start();
            Path log = dir.resolve("daemon.log");
            daemon = Agent.start(
                    log,
                    "renew",
                    "--daemon",
                    "--out",
                    out.toString(),
                    "--renew-at",
                    "0.25", // 5-minute certificates backdated 75 s: due 0-19 s after issuance
                    "--poll",
                    "2s",
                    "--exec",
                    "nginx -p " + dir + " -c " + conf + " -s reload");
            Set<String> renewed = new LinkedHashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos(); // a hang is the failure
            while (renewed.size() < 2 && System.nanoTime() < deadline) {
                assertTrue(daemon.isAlive(), "the agent stopped: " + Files.readString(log));
                Matcher m = RENEWED.matcher(Files.exists(log) ? Files.readString(log) : "");
                while (m.find()) {
                    if (renewed.add(m.group(1))) {
                        served.add(awaitServedOrSuperseded(httpsPort, log, m.group(1)));
                    }
                }
                sleep(500);
            }
            assertEquals(2, renewed.size(), "two renewals: " + Files.readString(log));
            // each renewal served, or renewed again before nginx was seen serving it (the agent's due time is random);
            // the agent goes on renewing, so the last is the newest in its log when nginx is seen serving it
            String last = awaitServedNewest(httpsPort, log);
            served.add(last);
            assertTrue(renewals(log).indexOf(last) >= 1, "a renewal after the first: " + last + " " + renewals(log));
            assertTrue(served.size() >= 2, "openssl s_client saw a new serial: " + served);
            running.set(false);
            curl.join(20_000);
            System.out.printf(
                    "nginx: %d curl requests across %d renewals, %d failed; serials %s%n",
                    ok.get(), renewed.size(), failed.get(), served);
            assertEquals(0, failed.get(), "failed requests: " + failures);
            assertTrue(ok.get() > 0, "the curl loop ran");
        } finally {
            running.set(false);
            if (daemon != null) {
                daemon.destroy();
                daemon.waitFor(20, TimeUnit.SECONDS);
            }
            nginx.destroy();
            nginx.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void refusalsHaveAReasonAndAnExitCode() throws Exception {
        String token = Tokens.create(admin, "svc", List.of("svc.example.test"), "tls-server", 30, 3600);
        Path out = dir.resolve("svc");
        assertEquals(0, enroll(out, token, "--name", "svc.example.test").exit());
        Shell.Result again = enroll(dir.resolve("svc2"), token, "--name", "svc.example.test");
        assertEquals(1, again.exit(), again.output());
        assertTrue(again.output().contains("token_used"), again.output());

        Shell.Result name = enroll(
                dir.resolve("svc3"),
                Tokens.create(admin, "svc3", List.of("svc3.example.test"), "tls-server", 30, 3600),
                "--name",
                "other.example.test");
        assertEquals(1, name.exit(), name.output());
        assertTrue(
                name.output().contains("name_not_allowed") && name.output().contains("other.example.test"),
                name.output());

        String expiring = Tokens.create(admin, "svc4", List.of("svc4.example.test"), "tls-server", 30, 3600);
        try (Connection c = DriverManager.getConnection(app.properties().get("datasources.default.url"), "pki", "")) {
            c.createStatement()
                    .executeUpdate("UPDATE install_tokens SET expires_at = expires_at - INTERVAL '2 hours'"
                            + " WHERE service = 'svc4'");
        }
        Shell.Result expired = enroll(dir.resolve("svc4"), expiring, "--name", "svc4.example.test");
        assertEquals(1, expired.exit(), expired.output());
        assertTrue(expired.output().contains("token_expired"), expired.output());

        Path foreign = dir.resolve("foreign-root.pem");
        Files.writeString(foreign, ForeignRoot.pem());
        Shell.Result trust = Agent.run(
                "enroll",
                "--ca-url",
                url(),
                "--root",
                foreign.toString(),
                "--token-file",
                tokenFile("hct_x_y").toString(),
                "--name",
                "a.example.test",
                "--out",
                dir.resolve("svc5").toString());
        assertEquals(1, trust.exit(), trust.output());
        assertTrue(trust.output().contains("TLS trust failure"), trust.output());

        Shell.Result usage = Agent.run(
                "enroll", "--ca-url", url(), "--out", dir.resolve("svc6").toString());
        assertEquals(2, usage.exit(), usage.output());
        Shell.Result noStore = Agent.run("info", "--out", dir.resolve("nothing").toString());
        assertEquals(1, noStore.exit(), noStore.output());
        assertTrue(noStore.output().contains("pki-agent enroll"), noStore.output());
        for (Shell.Result r : List.of(again, name, expired, trust)) {
            assertTrue(
                    r.output().strip().lines().count() == 1 && !r.output().contains("\tat "),
                    "one line: " + r.output());
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang is the failure
    void theCaDownDuringRenewal() throws Exception {
        Path out = dir.resolve("down");
        String token = Tokens.create(admin, "down", List.of("down.example.test"), "tls-server", 30, 3600);
        assertEquals(
                0,
                enroll(out, token, "--name", "down.example.test", "--validity", "1h")
                        .exit());
        byte[] cert = Files.readAllBytes(out.resolve("cert.pem"));
        byte[] key = Files.readAllBytes(out.resolve("key.pem"));
        appliance.signal("TERM");
        assertTrue(appliance.waitExit(Duration.ofSeconds(60)));
        try {
            Shell.Result r = Agent.run("renew", "--force", "--out", out.toString());
            assertEquals(1, r.exit(), r.output());
            assertTrue(r.output().contains("unreachable"), r.output());
            assertArrayEquals(cert, Files.readAllBytes(out.resolve("cert.pem")), "files untouched");
            assertArrayEquals(key, Files.readAllBytes(out.resolve("key.pem")));

            Path log = dir.resolve("down-daemon.log");
            Process daemon = Agent.start(
                    log,
                    "renew",
                    "--daemon",
                    "--out",
                    out.toString(),
                    "--renew-at",
                    "0.01",
                    "--poll",
                    "1s",
                    "--backoff-cap",
                    "2s");
            try {
                // it tried, and failed, twice while the CA was down (an outcome; the deadline is for a hang)
                long tried = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!(Files.exists(log) && Files.readString(log).contains("failed (attempt 2;"))
                        && System.nanoTime() < tried) {
                    assertTrue(daemon.isAlive(), Files.readString(log));
                    sleep(200);
                }
                assertTrue(Files.readString(log).contains("failed (attempt 2;"), Files.readString(log));
                assertTrue(daemon.isAlive(), Files.readString(log));
                assertArrayEquals(
                        cert, Files.readAllBytes(out.resolve("cert.pem")), "files untouched while the CA is down");
                appliance = ApplianceProcess.startOn(app, port, Map.of());
                assertTrue(appliance.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), appliance.log());
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
                while (!Files.readString(log).contains("renewed: serial") && System.nanoTime() < deadline) {
                    sleep(300);
                }
                assertTrue(
                        Files.readString(log).contains("renewed: serial"),
                        "renewed once the CA was back: " + Files.readString(log));
            } finally {
                daemon.destroy();
                daemon.waitFor(20, TimeUnit.SECONDS);
            }
        } finally {
            if (!appliance.alive()) {
                appliance = ApplianceProcess.startOn(app, port, Map.of());
                appliance.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START);
            }
        }
    }

    @Test
    void aFullOrReadOnlyStoreKeepsTheOldPair() throws Exception {
        Path mount = Files.createTempDirectory(dir, "small");
        boolean mounted = Shell.exec(null, "mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString())
                        .exit()
                == 0;
        Path out = mount.resolve("pki");
        try {
            String token = Tokens.create(admin, "small", List.of("small.example.test"), "tls-server", 30, 3600);
            assertEquals(0, enroll(out, token, "--name", "small.example.test").exit());
            byte[] cert = Files.readAllBytes(out.resolve("cert.pem"));
            byte[] key = Files.readAllBytes(out.resolve("key.pem"));
            if (mounted) {
                Shell.exec(null, "dd", "if=/dev/zero", "of=" + mount.resolve("fill"), "bs=4k", "count=1000");
                Shell.Result full = Agent.run("renew", "--force", "--out", out.toString());
                assertEquals(1, full.exit(), full.output());
                assertTrue(full.output().contains("unchanged"), full.output());
                assertArrayEquals(cert, Files.readAllBytes(out.resolve("cert.pem")));
                assertArrayEquals(key, Files.readAllBytes(out.resolve("key.pem")));
                Files.delete(mount.resolve("fill"));
                Shell.exec(null, "mount", "-o", "remount,ro", mount.toString()).ok();
            } else {
                // not root: permissions are enough to make the folder read-only
                Shell.exec(null, "chmod", "-R", "a-w", out.toString()).ok();
                System.out.println("full disk not tested: mounting a small tmpfs needs root");
            }
            Shell.Result ro = Agent.run("renew", "--force", "--out", out.toString());
            assertEquals(1, ro.exit(), ro.output());
            assertTrue(ro.output().contains("cannot write") && ro.output().contains("unchanged"), ro.output());
            assertArrayEquals(cert, Files.readAllBytes(out.resolve("cert.pem")));
            assertArrayEquals(key, Files.readAllBytes(out.resolve("key.pem")));
        } finally {
            if (mounted) {
                Shell.exec(null, "umount", mount.toString());
            }
        }
    }

    String servedSerial(int httpsPort) {
        Shell.Result r = Shell.exec(
                dir,
                "sh",
                "-c",
                "openssl s_client -connect 127.0.0.1:" + httpsPort
                        + " -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -serial");
        assertEquals(0, r.exit(), r.output());
        return r.output()
                .trim()
                .replaceFirst("(?i)^serial=", "")
                .toLowerCase(Locale.ROOT)
                .replaceFirst("^0+", "");
    }

    /**
     * Until nginx serves this renewed serial, or one the agent renewed after it (a second renewal may follow the first
     * within a second or two, before the first was ever seen served): the serial served.
     */
    String awaitServedOrSuperseded(int httpsPort, Path log, String serial) throws IOException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (true) {
            String s = servedSerial(httpsPort);
            List<String> renewals = renewals(log);
            int at = renewals.indexOf(serial);
            if (s.equals(serial)
                    || (at >= 0 && renewals.subList(at + 1, renewals.size()).contains(s))) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nginx serves " + s + ", not the renewed " + serial + " or a later one");
            }
            sleep(200);
        }
    }

    /** The newest renewal in the agent's log, once nginx is seen serving it. */
    String awaitServedNewest(int httpsPort, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (true) {
            String s = servedSerial(httpsPort);
            List<String> renewals = renewals(log);
            if (!renewals.isEmpty() && s.equals(renewals.get(renewals.size() - 1))) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nginx serves " + s + ", not the newest renewal of " + renewals);
            }
            sleep(200);
        }
    }

    static List<String> renewals(Path log) throws IOException {
        List<String> serials = new ArrayList<>();
        Matcher m = RENEWED.matcher(Files.exists(log) ? Files.readString(log) : "");
        while (m.find()) {
            if (!serials.contains(m.group(1))) {
                serials.add(m.group(1));
            }
        }
        return serials;
    }

    void awaitServing(int httpsPort) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (System.nanoTime() < deadline) {
            if (Shell.exec(
                                    dir,
                                    "curl",
                                    "-s",
                                    "--cacert",
                                    app.rootPem().toString(),
                                    "https://localhost:" + httpsPort + "/")
                            .exit()
                    == 0) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("nginx did not start");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
