package dev.hsmca.appliance.metrics;

import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.TestHsm;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HSM goes away (the process is logged out of the token and the PIN no longer works): pki_hsm_up drops to 0
 * and errors are counted; when the PIN is right again the probe logs back in and pki_hsm_up returns to 1.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HsmDownTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().with("pki.hsm.probe-interval", "1h").initialize();

    @Inject
    HsmProbeJob probe;
    @Inject
    MeterRegistry registry;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    double up() {
        return registry.get("pki.hsm.up").gauge().value();
    }

    double errors() {
        return registry.find("pki.hsm.errors").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void hsmUpFollowsTheToken() throws Exception {
        assertTrue(probe.probe());
        assertEquals(1.0, up());
        Path pinFile = APP.token().pinFile();
        String pin = Files.readString(pinFile);
        double errorsBefore = errors();

        TestHsm.logout(APP.token().label());
        Files.writeString(pinFile, "wrong-pin-0000\n");
        try {
            assertFalse(probe.probe());
            assertEquals(0.0, up());
            assertTrue(errors() > errorsBefore, "probe and reconnect failures are counted");
        } finally {
            Files.writeString(pinFile, pin);
        }
        assertTrue(probe.probe());
        assertEquals(1.0, up());
    }
}
