package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.testing.TestAppliance;
import org.junit.jupiter.api.Test;

class CrlConcurrencyPostgresTest {
    @Test
    void revocationsRaceCrlsWithoutHangOrLoss() throws Exception {
        CrlConcurrency.run(TestAppliance.postgres());
    }
}
