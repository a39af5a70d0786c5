package dev.hsmca.appliance.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.EnrollKeyRepository;
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

/**
 * 50 requests race for an enrollment key with 20 uses left (of its total, or of its hour's); exactly 20 may win, on
 * whichever database.
 */
final class EnrollKeyRace {
    private EnrollKeyRace() {}

    static void run(TestAppliance app, int port, CertificateRepository certificates, EnrollKeyRepository keys)
            throws Exception {
        run(app, port, certificates, keys, "max_uses", "403 enroll_key_exhausted");
    }

    /**
     * @param limit   the key's limit of 25 uses: {@code max_uses} or {@code per_hour}
     * @param refusal what the losers get
     */
    static void run(
            TestAppliance app,
            int port,
            CertificateRepository certificates,
            EnrollKeyRepository keys,
            String limit,
            String refusal)
            throws Exception {
        Api admin = new Api(app.adminSsl(), port);
        HttpResponse<String> created = admin.postJson(
                "/api/v1/enroll-keys", Map.of("service", "racer", "allowed_dns", List.of("racer.internal"), limit, 25));
        assertEquals(201, created.statusCode(), created.body());
        String key = (String) Api.parse(created).get("key");
        String id = (String) Api.parse(created).get("id");
        String body = Api.json(Map.of("csr", Api.resource("csr/racer.csr")));
        HttpClient http = HttpClient.newBuilder()
                .sslContext(app.anonymousSsl())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        HttpRequest use = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/certificates"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        for (int i = 0; i < 5; i++) { // 20 uses left
            assertEquals(
                    201, http.send(use, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        long before = certificates.count();

        int n = 50;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                answers.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                start.await();
                                return http.send(use, HttpResponse.BodyHandlers.ofString());
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
                String outcome = r.statusCode()
                        + (r.statusCode() == 201 ? "" : " " + Api.parse(r).get("error"));
                outcomes.merge(outcome, 1, Integer::sum);
            }
            assertEquals(Map.of("201", 20, refusal, n - 20), outcomes);
            assertEquals(before + 20, certificates.count(), "exactly 20 certificates stored");
            assertEquals(25, keys.findById(id).orElseThrow().uses());
        } finally {
            pool.shutdownNow();
        }
    }
}
