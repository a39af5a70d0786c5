package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.acme.Http01Server;
import dev.hsmca.appliance.acme.TestDns;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ACME clients people run, unmodified, against the appliance on PostgreSQL: certbot, lego, dehydrated and uacme
 * each register with an External Account Binding, obtain, renew and revoke; http-01 through a web root, tls-alpn-01
 * served by lego, dns-01 through lego's exec hook and a test DNS server. Every certificate is checked by
 * {@code openssl verify} and {@code openssl ocsp} against the separate responder (good, then revoked).
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeClientsTest implements TestPropertyProvider {
    /** tls-alpn-01: the validator dials a port set before lego listens there (443 in production): see {@link Ports}. */
    static final int ALPN_PORT = Ports.fixed();

    static final TestAppliance APP = TestAppliance.postgres().initialize();
    static final Path WEBROOT = dir("webroot");
    static final Path ZONE = WEBROOT.resolveSibling("zone.txt");
    static final Http01Server WEB = Http01Server.webroot(WEBROOT);
    static final TestDns DNS = dns();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    Path pki;

    @Override
    public Map<String, String> getProperties() {
        if (responder == null) {
            responder = ResponderProcess.start(E2e.databaseOnly(APP), false);
        }
        Map<String, String> p = new HashMap<>(E2e.withOcspUrl(APP, responder));
        p.put("pki.acme.http01-port", Integer.toString(WEB.port()));
        p.put("pki.acme.tlsalpn01-port", Integer.toString(ALPN_PORT));
        p.put("pki.acme.resolve", "*.acme.test=127.0.0.1");
        p.put("pki.acme.validation.allow-private-addresses", "true"); // TEST SWITCH: the clients listen on loopback
        p.put("pki.acme.dns-server", DNS.address());
        return p;
    }

    @BeforeAll
    void start() throws Exception {
        pki = dir("pki");
        Files.copy(APP.rootPem(), pki.resolve("root.pem"));
        Files.copy(APP.issuingPem(), pki.resolve("issuing.pem"));
    }

    @AfterAll
    void stop() {
        if (responder != null) {
            responder.close();
        }
        WEB.close();
        DNS.close();
    }

    static Path dir(String name) {
        try {
            return Files.createTempDirectory(APP.dir(), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestDns dns() {
        try {
            return new TestDns().zoneFile(ZONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String directory() {
        return "https://localhost:" + server.getPort() + "/acme/directory";
    }

    /** kid and hmac_key from the admin API, for a service and its names. */
    Map<String, Object> eab(String service, String... names) {
        var r = new Api(APP.adminSsl(), server.getPort())
                .postJson("/api/v1/acme/eab", Map.of("service", service, "allow_dns", List.of(names)));
        assertEquals(201, r.statusCode(), r.body());
        return Api.parse(r);
    }

    /** Runs a client to completion (at most 3 minutes); exit code and output. */
    static Shell.Result run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".log");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish: " + Files.readString(out));
        }
        return new Shell.Result(p.exitValue(), Files.readString(out));
    }

    static Shell.Result ok(Shell.Result r) {
        assertEquals(0, r.exit(), r.output());
        return r;
    }

    /** The first certificate of a PEM file. */
    static X509Certificate leaf(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)
                    .iterator()
                    .next();
        }
    }

    /** openssl verifies it to the root; it names exactly this DNS name; the responder says good. Returns its serial. */
    String checkIssued(Path pem, String name) throws Exception {
        X509Certificate c = leaf(pem);
        Path leaf = pki.resolve(name + "-" + c.getSerialNumber().toString(16) + ".pem");
        Files.writeString(
                leaf,
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        ok(Shell.exec(pki, "openssl", "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", leaf.toString()));
        List<String> names = new ArrayList<>();
        c.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
        assertEquals(List.of(name), names);
        String status =
                E2e.ocsp(pki, responder.url(), "-cert", leaf.toString()).ok().output();
        assertTrue(status.contains(leaf + ": good"), status);
        return c.getSerialNumber().toString(16);
    }

    /** openssl ocsp against the responder says revoked (polled: the responder reads the store, not the CA). */
    void checkRevoked(String name, String serial) throws Exception {
        Path leaf = pki.resolve(name + "-" + serial + ".pem");
        String status = E2e.ocsp(pki, responder.url(), "-cert", leaf.toString()).output();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (!status.contains(": revoked") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = E2e.ocsp(pki, responder.url(), "-cert", leaf.toString()).output();
        }
        assertTrue(status.contains(leaf + ": revoked"), status);
    }

    @Test
    void certbot() throws Exception {
        Path d = dir("certbot");
        Map<String, Object> e = eab("certbot-svc", "c1.acme.test");
        Map<String, String> env = Map.of("REQUESTS_CA_BUNDLE", APP.rootPem().toString());
        List<String> common = List.of(
                "--non-interactive",
                "--server",
                directory(),
                "--config-dir",
                d + "/conf",
                "--work-dir",
                d + "/work",
                "--logs-dir",
                d + "/logs");
        List<String> obtain = new ArrayList<>(List.of(
                "certbot",
                "certonly",
                "--agree-tos",
                "-m",
                "ops@example.com",
                "--eab-kid=" + e.get("kid"),
                "--eab-hmac-key=" + e.get("hmac_key"),
                "--webroot",
                "-w",
                WEBROOT.toString(),
                "-d",
                "c1.acme.test"));
        obtain.addAll(common);
        ok(run(d, env, obtain.toArray(String[]::new)));
        Path cert = d.resolve("conf/live/c1.acme.test/cert.pem");
        String first = checkIssued(cert, "c1.acme.test");

        List<String> renew =
                new ArrayList<>(List.of("certbot", "renew", "--force-renewal", "--no-random-sleep-on-renew"));
        renew.addAll(common);
        ok(run(d, env, renew.toArray(String[]::new)));
        String second = checkIssued(cert, "c1.acme.test");
        assertNotEquals(first, second, "renewed");

        List<String> revoke = new ArrayList<>(List.of(
                "certbot",
                "revoke",
                "--cert-path",
                cert.toString(),
                "--reason",
                "keycompromise",
                "--no-delete-after-revoke"));
        revoke.addAll(common);
        ok(run(d, env, revoke.toArray(String[]::new)));
        checkRevoked("c1.acme.test", second);
    }

    @Test
    void legoWithHttpTlsAlpnAndDns01() throws Exception {
        Path d = dir("lego");
        Map<String, Object> e = eab("lego-svc", "l1.acme.test");
        Path hook = d.resolve("dns-hook.sh");
        Files.writeString(
                hook,
                "#!/bin/sh\n# lego exec: present|cleanup FQDN VALUE\n" + "[ \"$1\" = present ] && echo \"$2 $3\" >> '"
                        + ZONE + "'\nexit 0\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = Map.of(
                "LEGO_CA_CERTIFICATES",
                APP.rootPem().toString(),
                "EXEC_PATH",
                hook.toString(),
                "EXEC_POLLING_INTERVAL",
                "1",
                "EXEC_PROPAGATION_TIMEOUT",
                "30");
        // lego checks the directory's externalAccountRequired on every command, so the binding goes on each
        List<String> common = List.of(
                "lego",
                "--server",
                directory(),
                "--accept-tos",
                "--email",
                "ops@example.com",
                "--path",
                d.toString(),
                "--domains",
                "l1.acme.test",
                "--key-type",
                "ec256",
                "--eab",
                "--kid",
                (String) e.get("kid"),
                "--hmac",
                (String) e.get("hmac_key"));
        List<String> obtain = new ArrayList<>(common);
        obtain.addAll(List.of("--http", "--http.webroot", WEBROOT.toString(), "run"));
        ok(run(d, env, obtain.toArray(String[]::new)));
        Path cert = d.resolve("certificates/l1.acme.test.crt");
        String first = checkIssued(cert, "l1.acme.test");

        List<String> alpn = new ArrayList<>(common);
        alpn.addAll(List.of(
                "--tls", "--tls.port", "127.0.0.1:" + ALPN_PORT, "renew", "--days", "3650", "--no-random-sleep"));
        ok(run(d, env, alpn.toArray(String[]::new)));
        String second = checkIssued(cert, "l1.acme.test");
        assertNotEquals(first, second, "renewed over tls-alpn-01");

        List<String> dns = new ArrayList<>(common);
        dns.addAll(List.of("--dns", "exec", "--dns.disable-cp", "renew", "--days", "3650", "--no-random-sleep"));
        Shell.Result overDns = ok(run(d, env, dns.toArray(String[]::new)));
        assertTrue(overDns.output().contains("use dns-01 solver"), overDns.output());
        String third = checkIssued(cert, "l1.acme.test");
        assertNotEquals(second, third, "renewed over dns-01");

        List<String> revoke = new ArrayList<>(common);
        revoke.addAll(List.of("revoke", "--reason", "1"));
        ok(run(d, env, revoke.toArray(String[]::new)));
        checkRevoked("l1.acme.test", third);
    }

    @Test
    void dehydrated() throws Exception {
        Path d = dir("dehydrated");
        Map<String, Object> e = eab("dehydrated-svc", "d1.acme.test");
        Path wellKnown = Files.createDirectories(WEBROOT.resolve(".well-known/acme-challenge"));
        Files.writeString(
                d.resolve("config"),
                String.join(
                        "\n",
                        "CA=\"" + directory() + "\"",
                        "CURL_OPTS=\"--cacert " + APP.rootPem() + "\"",
                        "WELLKNOWN=\"" + wellKnown + "\"",
                        "BASEDIR=\"" + d + "\"",
                        "EAB_KID=\"" + e.get("kid") + "\"",
                        "EAB_HMAC_KEY=\"" + e.get("hmac_key") + "\"",
                        "CONTACT_EMAIL=\"ops@example.com\"",
                        "KEY_ALGO=secp384r1",
                        // its account key is RSA of this size (4096 by default: seconds of prime search on a busy core)
                        "KEYSIZE=2048",
                        ""));
        Map<String, String> env = Map.of();
        ok(run(d, env, "dehydrated", "--config", "config", "--register", "--accept-terms"));
        ok(run(d, env, "dehydrated", "--config", "config", "-c", "-d", "d1.acme.test"));
        Path cert = d.resolve("certs/d1.acme.test/cert.pem");
        String first = checkIssued(cert, "d1.acme.test");
        ok(run(d, env, "dehydrated", "--config", "config", "-c", "-d", "d1.acme.test", "--force"));
        String second = checkIssued(cert, "d1.acme.test");
        assertNotEquals(first, second, "renewed");
        ok(run(
                d,
                env,
                "dehydrated",
                "--config",
                "config",
                "-r",
                cert.toRealPath().toString()));
        checkRevoked("d1.acme.test", second);
    }

    /**
     * uacme has no option for a private root: it trusts the system bundle only. It runs in a mount namespace of its
     * own where the system bundle is the test's (the machine's bundle is never touched).
     */
    @Test
    void uacme() throws Exception {
        Path d = dir("uacme");
        Map<String, Object> e = eab("uacme-svc", "u1.acme.test");
        Path bundle = d.resolve("bundle.pem");
        Path system = Path.of("/etc/ssl/certs/ca-certificates.crt");
        Files.writeString(
                bundle, (Files.exists(system) ? Files.readString(system) : "") + Files.readString(APP.rootPem()));
        Path hook = d.resolve("hook.sh");
        Path wellKnown = Files.createDirectories(WEBROOT.resolve(".well-known/acme-challenge"));
        Files.writeString(
                hook,
                "#!/bin/sh\n# uacme hook: METHOD TYPE IDENT TOKEN AUTH\n[ \"$2\" = http-01 ] || exit 1\n"
                        + "case \"$1\" in\n  begin) printf '%s' \"$5\" > '" + wellKnown + "'/\"$4\" ;;\n"
                        + "  done|failed) rm -f '" + wellKnown + "'/\"$4\" ;;\nesac\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        String uacme = "uacme -c " + d + "/conf -a " + directory() + " ";
        String inNamespace = "mkdir -p " + system.getParent() + " && touch " + system + " && mount --bind " + bundle
                + " " + system + " && ";
        ok(run(
                d,
                Map.of(),
                "unshare",
                "-rm",
                "sh",
                "-c",
                inNamespace + uacme + "-y -e '" + e.get("kid") + ":" + e.get("hmac_key") + "' new ops@example.com"));
        ok(run(
                d,
                Map.of(),
                "unshare",
                "-rm",
                "sh",
                "-c",
                inNamespace + uacme + "-h " + hook + " -t EC issue u1.acme.test"));
        Path cert = d.resolve("conf/u1.acme.test/cert.pem");
        String first = checkIssued(cert, "u1.acme.test");
        ok(run(
                d,
                Map.of(),
                "unshare",
                "-rm",
                "sh",
                "-c",
                inNamespace + uacme + "-h " + hook + " -t EC -f issue u1.acme.test"));
        String second = checkIssued(cert, "u1.acme.test");
        assertNotEquals(first, second, "renewed");
        ok(run(d, Map.of(), "unshare", "-rm", "sh", "-c", inNamespace + uacme + "revoke " + cert));
        checkRevoked("u1.acme.test", second);
    }

    /**
     * {@code make bench}, ACME: orders/s that unmodified lego completes with http-01 (one account, distinct names;
     * each lego run is a new process: its own start, a new key and CSR, the order, validation, finalize, download).
     */
    @Test
    @org.junit.jupiter.api.Tag("bench")
    void legoOrdersPerSecond() throws Exception {
        Path d = dir("lego-bench");
        Map<String, Object> e = eab("bench-svc", "*.acme.test");
        Map<String, String> env = Map.of("LEGO_CA_CERTIFICATES", APP.rootPem().toString());
        IntFunction<String[]> order = i -> List.of(
                        "lego",
                        "--server",
                        directory(),
                        "--accept-tos",
                        "--email",
                        "bench@example.com",
                        "--path",
                        d.toString(),
                        "--key-type",
                        "ec256",
                        "--eab",
                        "--kid",
                        (String) e.get("kid"),
                        "--hmac",
                        (String) e.get("hmac_key"),
                        "--domains",
                        "b" + i + ".acme.test",
                        "--http",
                        "--http.webroot",
                        WEBROOT.toString(),
                        "run")
                .toArray(String[]::new);
        ok(run(d, env, order.apply(0))); // registers the account; not timed
        StringBuilder md = new StringBuilder(
                "## ACME\n\nlego " + run(d, env, "lego", "--version").output().trim()
                        + ", http-01 (webroot), one account; orders completed per second at 1 and 4 lego processes at once.\n\n"
                        + "| lego processes at once | orders | seconds | orders/s |\n|---|---|---|---|\n");
        int next = 1;
        for (int parallel : BenchSupport.SMOKE ? new int[] {1} : new int[] {1, 4}) {
            int orders = BenchSupport.SMOKE ? parallel : 10 * parallel;
            ExecutorService pool = Executors.newFixedThreadPool(parallel);
            List<Future<Shell.Result>> runs = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < orders; i++) {
                int n = next++;
                runs.add(pool.submit(() -> run(d, env, order.apply(n))));
            }
            for (var f : runs) {
                ok(f.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            md.append(String.format("| %d | %d | %.1f | %.1f |%n", parallel, orders, seconds, orders / seconds));
        }
        checkIssued(d.resolve("certificates/b1.acme.test.crt"), "b1.acme.test");
        BenchSupport.writePart("50-acme", md.toString());
    }
}
