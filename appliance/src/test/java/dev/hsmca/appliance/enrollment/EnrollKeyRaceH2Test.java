package dev.hsmca.appliance.enrollment;

import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.EnrollKeyRepository;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnrollKeyRaceH2Test implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    @Inject
    EnrollKeyRepository keys;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void fiftyUsesOfAKeyWithTwentyLeftIssueTwenty() throws Exception {
        EnrollKeyRace.run(APP, server.getPort(), certificates, keys);
    }

    @Test
    void fiftyUsesOfAKeyWithTwentyLeftThisHourIssueTwenty() throws Exception {
        EnrollKeyRace.run(APP, server.getPort(), certificates, keys, "per_hour", "429 enroll_key_rate_limited");
    }
}
