package dev.hsmca.appliance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Refusals are counted at once, written one entry per source a window, and held in bounded memory. */
class RefusalsTest {
    record Entry(String source, String details) {}

    final List<Entry> written = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Clock clock = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);

    Refusals refusals(int maxSources) {
        return new Refusals((source, details) -> written.add(new Entry(source, details)), maxSources, registry, clock);
    }

    double count(String reason) {
        return registry.get("pki.auth.refusals").tag("reason", reason).counter().count();
    }

    @Test
    void oneEntryPerSourcePerWindowWithItsCounts() {
        Refusals r = refusals(100);
        assertEquals(0.0, count("client_certificate_required"), "registered at start");
        assertEquals(0.0, count("token_invalid"));
        for (int i = 0; i < 50; i++) {
            r.refused("anonymous@192.0.2.7", "admin.login", "client_certificate_required");
        }
        r.refused("anonymous@192.0.2.7", "token.use", "token_invalid");
        r.refused("tls:1a2b@198.51.100.1", "holder.login", "certificate_revoked");
        assertEquals(List.of(), written, "nothing is written before the window ends");
        assertEquals(50.0, count("client_certificate_required"));

        assertEquals(2, r.flush());
        Map<String, String> bySource = written.stream().collect(Collectors.toMap(Entry::source, Entry::details));
        assertEquals(
                "admin.login client_certificate_required=50, token.use token_invalid=1 "
                        + "(2026-12-04T10:00:00Z to 2026-12-04T10:00:00Z)",
                bySource.get("anonymous@192.0.2.7"));
        assertTrue(bySource.get("tls:1a2b@198.51.100.1").startsWith("holder.login certificate_revoked=1 "));

        assertEquals(0, r.flush(), "an empty window writes nothing");
        r.refused("anonymous@192.0.2.7", "admin.login", "client_certificate_required");
        assertEquals(1, r.flush());
        assertEquals(3, written.size());
    }

    @Test
    void sourcesPastTheCapShareOneEntry() {
        Refusals r = refusals(3);
        for (int i = 0; i < 1000; i++) {
            r.refused("anonymous@10.0." + (i / 250) + "." + (i % 250), "admin.login", "client_certificate_required");
        }
        assertEquals(4, r.flush());
        Entry other = written.get(3);
        assertEquals(Refusals.OTHER, other.source());
        assertTrue(
                other.details()
                        .startsWith("admin.login client_certificate_required=997; 997 of them from sources past "
                                + "the first 3"),
                other.details());
        assertEquals(1000.0, count("client_certificate_required"));
    }
}
