package dev.hsmca.appliance.enrollment;

import dev.hsmca.appliance.store.CertificateRepository;
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
class TokenRaceH2Test implements TestPropertyProvider {
    // 50 issuances at once on two cores: a batch waits as long as it must (the race, not the machine, is tested)
    static final TestAppliance APP =
            TestAppliance.h2().with("pki.store.group-commit-timeout", "10m").initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void oneTokenOneCertificateUnderConcurrency() throws Exception {
        TokenRace.run(APP, server.getPort(), certificates);
    }
}
