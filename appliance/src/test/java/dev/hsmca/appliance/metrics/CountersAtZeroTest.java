package dev.hsmca.appliance.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.domain.CrlKind;
import dev.hsmca.appliance.domain.ProfileConfig;
import dev.hsmca.appliance.domain.Profiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** rate() and alerts need a series before its first event: the counters with known labels exist at 0 from start. */
class CountersAtZeroTest {
    private static ProfileConfig profile(String name) {
        return new ProfileConfig(
                name,
                List.of("digitalSignature"),
                List.of("clientAuth"),
                7,
                Duration.ofMinutes(5),
                false,
                true,
                null,
                null,
                true);
    }

    @Test
    void issuedRevokedAndCrlCountersStartAtZeroAndMoveFromThere() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerPkiMetrics metrics = new MicrometerPkiMetrics(
                registry, new Profiles(List.of(profile("tls-client"), profile("short-lived"))));

        for (String p : List.of("tls-client", "short-lived")) {
            assertEquals(
                    0.0,
                    registry.get("pki.certificates.issued")
                            .tag("profile", p)
                            .counter()
                            .count(),
                    p);
        }
        for (String reason : List.of("unspecified", "keyCompromise", "superseded", "certificateHold")) {
            assertEquals(
                    0.0,
                    registry.get("pki.revocations")
                            .tag("reason", reason)
                            .counter()
                            .count(),
                    reason);
        }
        assertEquals(
                0,
                registry.find("pki.revocations")
                        .tag("reason", "removeFromCRL")
                        .counters()
                        .size());
        for (CrlKind kind : CrlKind.values()) {
            assertEquals(
                    0.0,
                    registry.get("pki.crl.publications")
                            .tags("ca", "issuing", "kind", kind.tag())
                            .counter()
                            .count());
        }

        metrics.issued("short-lived", 1_000);
        metrics.crlPublished("issuing", CrlKind.SHARD);
        assertEquals(
                1.0,
                registry.get("pki.certificates.issued")
                        .tag("profile", "short-lived")
                        .counter()
                        .count());
        assertEquals(
                1.0,
                registry.get("pki.crl.publications")
                        .tags("ca", "issuing", "kind", "shard")
                        .counter()
                        .count());
    }
}
