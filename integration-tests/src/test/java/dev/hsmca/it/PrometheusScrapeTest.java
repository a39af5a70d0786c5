package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real Prometheus server scrapes the appliance (HTTPS, trusting our root, with the monitoring client
 * certificate) and the responder, loads the shipped alert rules, and answers queries for the expiry series.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusScrapeTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.postgres().initialize();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    Process prometheus;
    int prometheusPort;
    Path dir;

    @Override
    public Map<String, String> getProperties() {
        if (responder == null) {
            responder = ResponderProcess.start(E2e.databaseOnly(APP), false);
        }
        return E2e.withOcspUrl(APP, responder);
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("prometheus");
        Path rules = Path.of(System.getProperty("repo.root", ".."))
                .resolve("ansible/files/prometheus/pki-alerts.yml")
                .toAbsolutePath();
        Path mon = APP.dir().resolve("monitoring");
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: pki-appliance
                    scheme: https
                    metrics_path: /prometheus
                    tls_config:
                      ca_file: %s
                      cert_file: %s
                      key_file: %s
                    static_configs:
                      - targets: ['localhost:%d']
                  - job_name: pki-ocsp
                    metrics_path: /prometheus
                    static_configs:
                      - targets: ['localhost:%d']
                """.formatted(
                        rules,
                        APP.rootPem().toAbsolutePath(),
                        mon.resolve("monitoring.crt.pem").toAbsolutePath(),
                        mon.resolve("monitoring.key.pem").toAbsolutePath(),
                        server.getPort(),
                        responder.port()));
        Shell.Result check = Shell.exec(dir, "promtool", "check", "config", "prometheus.yml");
        assertTrue(check.exit() == 0, check.output());
        // port 0: the kernel picks; Prometheus logs the address it listens on
        prometheus = new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:0")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        prometheusPort = listeningPort(prometheus, dir.resolve("prometheus.log"));
    }

    /** The port in Prometheus's 'msg="Listening on" address=127.0.0.1:PORT' line (a deadline only for a hang). */
    static int listeningPort(Process prometheus, Path log) throws Exception {
        Pattern listening = Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = listening.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(prometheus.isAlive(), "prometheus exited: " + Files.readString(log));
            Thread.sleep(50);
        }
        throw new AssertionError("prometheus did not listen: " + Files.readString(log));
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
        if (responder != null) {
            responder.close();
        }
    }

    String query(String promql) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String url = "http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8);
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Polls until the query has a non-empty result (Prometheus scrapes every second; the deadline is for a hang). */
    String await(String promql) throws Exception {
        String last = "";
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                last = query(promql);
                if (last.contains("\"result\":[{")) {
                    return last;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(
                "no result for " + promql + ": " + last + "\n" + Files.readString(dir.resolve("prometheus.log")));
    }

    @Test
    void prometheusScrapesBothServersAndFindsTheExpirySeries() throws Exception {
        assertTrue(await("up{job=\"pki-appliance\"} == 1").contains("pki-appliance"));
        assertTrue(await("up{job=\"pki-ocsp\"} == 1").contains("pki-ocsp"));
        String ca = await("pki_ca_certificate_expiry_timestamp_seconds{ca=\"root\"}");
        assertTrue(ca.contains("\"ca\":\"root\""), ca);
        String svc = await("pki_certificate_expiry_timestamp_seconds{service=\"appliance\"}");
        assertTrue(svc.contains("\"profile\":\"tls-server\"") && svc.contains("\"serial\":"), svc);
        assertTrue(await("pki_hsm_up == 1").contains("pki_hsm_up"));
        assertTrue(await("pki_ocsp_change_feed_up == 1").contains("pki-ocsp")); // the responder hears PostgreSQL
        assertTrue(
                await("pki_crl_next_update_timestamp_seconds - time() > 86400").contains("issuing"));
        // The shipped rules are loaded; with a fresh CA none of the expiry alerts fires (the TLS certificate has 90
        // days).
        HttpClient http = HttpClient.newHttpClient();
        String rules = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/rules"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(rules.contains("PkiHsmDown") && rules.contains("PkiCertificateExpiringSoon"), rules);
        String firing = query("ALERTS{alertstate=\"firing\",alertname=~\"PkiCertificateExpiring.*|PkiHsmDown\"}");
        assertTrue(firing.contains("\"result\":[]"), firing);
    }
}
