package dev.hsmca.ocsp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.Store;
import io.micronaut.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Readiness waits for the warm-up; the warm-up's own requests are told apart only by its secret. */
class WarmupTest {
    static final Store.Issuers NO_ISSUERS = new Store.Issuers() {
        @Override
        public Optional<IssuerRow> findById(String id) {
            return Optional.empty();
        }

        @Override
        public List<IssuerRow> caCertificates() {
            return List.of();
        }

        @Override
        public Optional<IssuerRow> active(String role) {
            return Optional.empty();
        }
    };

    @Test
    void healthSaysWarmingUntilTheWarmUpIsDone() throws Exception {
        Warmup warmup = new Warmup(null, null, Duration.ofSeconds(1));
        HttpResponse<HealthController.Status> r = new HealthController(NO_ISSUERS, warmup).health();
        assertEquals(503, r.getStatus().getCode());
        assertEquals("WARMING", r.body().status());
        assertFalse(warmup.await(Duration.ofMillis(50)), "no server started, so no warm-up ran");
    }

    @Test
    void onlyItsOwnSecretMarksAWarmUpRequest() {
        Warmup warmup = new Warmup(null, null, Duration.ofSeconds(1));
        assertFalse(warmup.own(null));
        assertFalse(warmup.own(""));
        assertFalse(warmup.own("0".repeat(32)), "a guessed header is a client's request, and counted");
        assertFalse(new Warmup(null, null, Duration.ofSeconds(1)).own(warmup.secret()), "another process's secret");
        assertTrue(warmup.own(warmup.secret()));
    }
}
