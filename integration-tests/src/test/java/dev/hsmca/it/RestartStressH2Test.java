package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.TestAppliance;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The embedded store as shipped: restart stress, and a second process refused while the first holds the file. */
class RestartStressH2Test {

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void nothingToldIsLostAndTheFileHasOneOwner() throws Exception {
        TestAppliance app = TestAppliance.h2();
        RestartStress.run(app, false);

        try (ApplianceProcess first = ApplianceProcess.start(app, Map.of())) {
            assertTrue(first.awaitHealthy(app.anonymousSsl(), RestartStress.START), first.log());
            try (ApplianceProcess second = ApplianceProcess.start(app, Map.of())) {
                assertFalse(
                        second.awaitHealthy(app.anonymousSsl(), RestartStress.START),
                        "a second appliance shared the H2 file");
                assertNotEquals(0, second.exitCode());
                assertTrue(second.log().contains("already in use"), second.log());
            }
            assertTrue(first.alive(), "the first appliance must keep running");
            assertTrue(first.awaitHealthy(app.anonymousSsl(), RestartStress.START));
        }
    }
}
