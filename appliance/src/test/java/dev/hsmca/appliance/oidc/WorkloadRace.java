package dev.hsmca.appliance.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Csrs;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** One workload token presented by 20 requests at once, on each store we ship: exactly one certificate. */
final class WorkloadRace {
    private WorkloadRace() {}

    static void run(Api anonymous, String token, CertificateRepository certificates) throws Exception {
        long before = certificates.count();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> use(anonymous, token, Csrs.of(null, List.of(), List.of(), List.of()))));
            }
            Map<Integer, Integer> statuses = new HashMap<>();
            for (Future<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get();
                statuses.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() != 201) {
                    assertEquals("token_replayed", Api.parse(r).get("error"), r.body());
                }
            }
            assertEquals(Map.of(201, 1, 401, 19), statuses);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + 1, certificates.count());
    }

    static HttpResponse<String> use(Api anonymous, String jwt, Csrs.Csr csr) {
        return anonymous.postJson("/api/v1/certificates", Map.of("csr", csr.pem()), jwt);
    }
}
