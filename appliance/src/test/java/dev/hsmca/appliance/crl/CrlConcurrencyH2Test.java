package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.testing.TestAppliance;
import org.junit.jupiter.api.Test;

class CrlConcurrencyH2Test {
    @Test
    void revocationsRaceCrlsWithoutHangOrLoss() throws Exception {
        CrlConcurrency.run(TestAppliance.h2());
    }
}
