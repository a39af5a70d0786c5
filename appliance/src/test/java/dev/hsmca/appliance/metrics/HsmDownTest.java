package dev.hsmca.appliance.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.hsm.HsmSupervisor;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.TestHsm;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HSM goes away (the process is logged out of the token and the PIN no longer works): issuance answers 503
 * {@code hsm_unavailable} with Retry-After (over a connection opened before: a new handshake needs the TLS key,
 * which is in the HSM too), nothing is stored, /health is 503, pki_hsm_up drops to 0 and errors are counted. When
 * the PIN is right again the probe logs back in and everything recovers without a restart.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HsmDownTest implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.hsm.probe-interval", "1h").initialize();

    @Inject
    HsmSupervisor probe;

    @Inject
    MeterRegistry registry;

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    double up() {
        return registry.get("pki.hsm.up").gauge().value();
    }

    double errors() {
        return registry.find("pki.hsm.errors").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    void issuanceAndHealthFollowTheToken() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "hsmdown");
        String csr = Openssl.keyAndCsr(dir, "svc", "svc.example.com", "DNS:svc.example.com");
        Api admin = new Api(APP.adminSsl(), server.getPort());
        assertEquals(
                201,
                admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30))
                        .statusCode());
        assertEquals(200, admin.get("/health").statusCode());
        assertTrue(probe.probe());
        assertEquals(1.0, up());
        Path pinFile = APP.token().pinFile();
        String pin = Files.readString(pinFile);
        double errorsBefore = errors();
        long stored = certificates.count();

        TestHsm.logout(APP.token().label());
        Files.writeString(pinFile, "wrong-pin-0000\n");
        try {
            HttpResponse<String> refused = admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30));
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("hsm_unavailable", Api.parse(refused).get("error"));
            assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After");
            assertFalse(refused.body().contains("Exception"), refused.body());
            assertEquals(stored, certificates.count(), "nothing stored while the HSM is down");
            assertTrue(poll(() -> admin.get("/health").statusCode() == 503), "/health reports the HSM down");
            assertFalse(probe.probe());
            assertEquals(0.0, up());
            assertTrue(errors() > errorsBefore, "probe and reconnect failures are counted");
        } finally {
            Files.writeString(pinFile, pin);
        }
        assertTrue(probe.probe(), "the probe logs in again");
        assertEquals(1.0, up());
        assertTrue(poll(() -> admin.get("/health").statusCode() == 200), "/health recovers");
        Api fresh = new Api(APP.adminSsl(), server.getPort()); // a new handshake, signed in the HSM again
        assertEquals(
                201,
                fresh.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30))
                        .statusCode());
    }

    static boolean poll(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
