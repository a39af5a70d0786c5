package dev.hsmca.appliance.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link WorkloadRace} on PostgreSQL (the single use is its primary key, under ON CONFLICT DO NOTHING). */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadRacePostgresTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.postgres().initialize();
    static final FakeOidcIssuer CLUSTER = new FakeOidcIssuer();

    @Inject
    EmbeddedServer server;

    @Inject
    CertificateRepository certificates;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.workload.issuers.cluster.issuer", CLUSTER.issuer());
        p.put("pki.workload.issuers.cluster.audience", "pki-workloads");
        return p;
    }

    @AfterAll
    void stop() {
        CLUSTER.close();
    }

    @Test
    void twentyRacingUsesOfOneTokenIssueOne() throws Exception {
        String token = FakeOidcIssuer.sign(
                CLUSTER.claims(Map.of("sub", "system:serviceaccount:race:pg"))
                        .audience(List.of("pki-workloads"))
                        .build(),
                CLUSTER.currentKey(),
                JWSAlgorithm.RS256);
        WorkloadRace.run(new Api(APP.anonymousSsl(), server.getPort()), token, certificates);
    }
}
