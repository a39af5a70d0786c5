package dev.hsmca.appliance.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Prometheus exposition: who may read it, that promtool accepts it, and that it moves with events. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.metrics.refresh-interval", "0s").initialize();

    @Inject
    EmbeddedServer server;

    Api admin;
    Api monitoring;
    Path dir;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @BeforeAll
    void clients() throws Exception {
        admin = new Api(APP.adminSsl(), server.getPort());
        Path mon = APP.dir().resolve("monitoring");
        char[] pass = Files.readString(mon.resolve("monitoring.pass")).trim().toCharArray();
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(mon.resolve("monitoring.p12"))) {
            p12.load(in, pass);
        }
        monitoring = new Api(APP.sslContext(p12, pass), server.getPort());
        dir = Files.createTempDirectory("metrics");
    }

    String scrape() {
        HttpResponse<String> r = monitoring.get("/prometheus");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        return r.body();
    }

    /** Sum of every sample of a metric whose labels contain all the given pairs. */
    static double value(String exposition, String name, String... labels) {
        double sum = 0;
        boolean found = false;
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([^ ]+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(exposition);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= l.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        return found ? sum : 0;
    }

    @Test
    void onlyAdminOrMonitoringMayScrape() {
        assertEquals(
                401,
                new Api(APP.anonymousSsl(), server.getPort()).get("/prometheus").statusCode());
        assertEquals(200, admin.get("/prometheus").statusCode());
        String csr = Openssl.keyAndCsr(dir, "svc", "svc.internal", "DNS:svc.internal");
        Map<String, Object> issued = Api.parse(
                admin.postJson("/api/v1/certificates", Map.of("csr", csr, "profile", "tls-client", "service", "svc")));
        Api holder = new Api(
                Openssl.identity(
                        APP, dir, "svc", (String) issued.get("certificate_pem"), (String) issued.get("chain_pem")),
                server.getPort());
        HttpResponse<String> refused = holder.get("/prometheus");
        assertEquals(403, refused.statusCode());
        assertEquals("not_monitoring", Api.parse(refused).get("error"));
    }

    @Test
    void promtoolAcceptsTheExpositionWithTheNamedSeries() throws Exception {
        assertEquals(
                200,
                new Api(APP.anonymousSsl(), server.getPort()).get("/health").statusCode());
        String text = scrape();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (!text.contains("pki_hsm_up 1.0")
                && System.nanoTime() < deadline) { // the first probe runs 1 s after start
            Thread.sleep(200);
            text = scrape();
        }
        Shell.Result check = Shell.exec(dir, text.getBytes(StandardCharsets.UTF_8), "promtool", "check", "metrics");
        assertEquals(0, check.exit(), check.output());
        for (String name : new String[] {
            "pki_ca_certificate_expiry_timestamp_seconds{ca=\"root\"}",
            "pki_ca_certificate_expiry_timestamp_seconds{ca=\"tls\"}",
            "pki_certificate_expiry_timestamp_seconds{",
            "pki_certificates{status=\"valid\"}",
            "pki_certificates_expiring{within=\"30d\"}",
            "pki_crl_next_update_timestamp_seconds{ca=\"issuing\"}",
            "pki_crl_entries{ca=\"issuing\"}",
            "pki_ocsp_presigned_oldest_this_update_timestamp_seconds",
            "pki_hsm_up 1.0",
            "pki_hsm_sign_seconds_bucket",
            "pki_tls_handshakes_total{",
            "jvm_memory_used_bytes",
            "http_server_requests_seconds"
        }) {
            assertTrue(text.contains(name), name + " missing");
        }
        // Expiry series are for each service's current certificate: the appliance's TLS certificate, with its serial.
        assertTrue(text.contains("service=\"appliance\""), text);
    }

    @Test
    void metricsMoveWithIssuanceRevocationAndFailedHandshakes() throws Exception {
        String before = scrape();
        double issued = value(before, "pki_certificates_issued_total", "profile=\"tls-server\"");
        double revoked = value(before, "pki_revocations_total", "reason=\"keyCompromise\"");
        double revokedGauge = value(before, "pki_certificates", "status=\"revoked\"");
        double protocolFailures = value(before, "pki_tls_handshake_failures_total", "reason=\"protocol_version\"");
        double refusals = value(before, "pki_issuance_errors_total", "reason=\"weak_key\"");

        Map<String, Object> r = Api.parse(admin.postJson(
                "/api/v1/certificates",
                Map.of(
                        "csr",
                        Openssl.keyAndCsr(dir, "m1", "m1.internal", "DNS:m1.internal"),
                        "profile",
                        "tls-server",
                        "service",
                        "m1")));
        String serial = (String) r.get("serial");
        admin.postJson(
                "/api/v1/certificates", Map.of("csr", Api.resource("csr/rsa-1024.csr"), "profile", "tls-server"));
        admin.postJson("/api/v1/certificates/" + serial + "/revoke", Map.of("reason", "keyCompromise"));

        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        tls12.init(null, null, null);
        try (SSLSocket s = (SSLSocket) tls12.getSocketFactory().createSocket("localhost", server.getPort())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            assertThrows(SSLException.class, s::startHandshake);
        }
        // the server counts the refused handshake after the client has given up: poll for it (a deadline only for a
        // hang)
        String after = scrape();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (value(after, "pki_tls_handshake_failures_total", "reason=\"protocol_version\"") < protocolFailures + 1
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            after = scrape();
        }
        assertEquals(issued + 1, value(after, "pki_certificates_issued_total", "profile=\"tls-server\""));
        assertEquals(refusals + 1, value(after, "pki_issuance_errors_total", "reason=\"weak_key\""));
        assertEquals(revoked + 1, value(after, "pki_revocations_total", "reason=\"keyCompromise\""));
        assertEquals(revokedGauge + 1, value(after, "pki_certificates", "status=\"revoked\""));
        assertEquals(
                protocolFailures + 1, value(after, "pki_tls_handshake_failures_total", "reason=\"protocol_version\""));
        assertTrue(value(after, "pki_issuance_seconds_count") >= 1);
        // the issuance went through the group committer, in a commit of its own or a shared one
        assertTrue(
                value(after, "pki_group_commit_writes_total") >= value(before, "pki_group_commit_writes_total") + 1,
                after);
        assertTrue(value(after, "pki_group_commits_total") >= value(before, "pki_group_commits_total") + 1, after);
        assertTrue(after.contains("pki_group_commit_queued "), after);
        assertTrue(after.contains("pki_ocsp_presigned_oldest_this_update_timestamp_seconds"));
    }

    @Test
    void detailedHealthIsForAdmins() {
        HttpResponse<String> r = admin.get("/api/v1/health");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> body = Api.parse(r);
        assertEquals("UP", body.get("status"));
        assertEquals(true, body.get("hsm_up"));
        assertEquals(true, body.get("store_up"));
        assertTrue(body.containsKey("crl_next_update") && body.containsKey("ocsp_presigned_oldest"), r.body());
        assertEquals(
                401,
                new Api(APP.anonymousSsl(), server.getPort())
                        .get("/api/v1/health")
                        .statusCode());
        new HashMap<>(body);
    }
}
