package dev.hsmca.it;

import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.appliance.testing.TestDatabases;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PostgreSQL, with the OCSP responder beside the appliance (and killed now and then too). */
class RestartStressPostgresTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void nothingToldIsLost() throws Exception {
        RestartStress.run(TestAppliance.postgres(TestDatabases.freshPostgres()), true);
    }
}
