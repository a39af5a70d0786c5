package dev.hsmca.appliance.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** 50 requests race for one install token; exactly one may win, on whichever database. */
final class TokenRace {
    private TokenRace() {}

    static void run(TestAppliance app, int port, CertificateRepository certificates) throws Exception {
        Api admin = new Api(app.adminSsl(), port);
        HttpResponse<String> created = admin.postJson(
                "/api/v1/install-tokens",
                Map.of(
                        "service",
                        "racer",
                        "allowed_dns",
                        List.of("racer.internal"),
                        "profile",
                        "tls-server",
                        "ttl_seconds",
                        600));
        assertEquals(201, created.statusCode(), created.body());
        String token = (String) Api.parse(created).get("token");
        String body = Api.json(Map.of("csr", Api.resource("csr/racer.csr")));
        long before = certificates.count();

        int n = 50;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        HttpClient http = HttpClient.newBuilder()
                .sslContext(app.anonymousSsl())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                answers.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                start.await();
                                return http.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        "https://localhost:" + port + "/api/v1/certificates"))
                                                .timeout(Duration.ofSeconds(60))
                                                .header("Content-Type", "application/json")
                                                .header("Authorization", "Bearer " + token)
                                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            start.countDown();
            Map<String, Integer> outcomes = new HashMap<>();
            for (CompletableFuture<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                String key = r.statusCode()
                        + (r.statusCode() == 201 ? "" : " " + Api.parse(r).get("error"));
                outcomes.merge(key, 1, Integer::sum);
            }
            assertEquals(Map.of("201", 1, "401 token_used", n - 1), outcomes);
            assertEquals(before + 1, certificates.count(), "exactly one certificate stored");
        } finally {
            pool.shutdownNow();
        }
    }
}
