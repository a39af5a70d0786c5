package dev.hsmca.appliance.metrics;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.MetricsRepository;
import dev.hsmca.core.CaRole;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the store: each service's current certificate expiry, CA certificate expiry, counts by
 * status, CRL and pre-signed OCSP freshness. Refreshed before a scrape, at most every few seconds.
 */
@Singleton
public class StoreGauges {
    private static final Logger LOG = LoggerFactory.getLogger(StoreGauges.class);

    private final MetricsRepository repository;
    private final CaHierarchy ca;
    private final Clock clock;
    private final MultiGauge certificateExpiry;
    private final MultiGauge caExpiry;
    private final MultiGauge counts;
    private final MultiGauge expiring;
    private final MultiGauge crlNextUpdate;
    private final MultiGauge crlEntries;
    private final MultiGauge lastSeen;
    private final Map<String, Double> scalars = new ConcurrentHashMap<>();
    private final Duration minInterval;
    private volatile Instant refreshedAt = Instant.EPOCH;

    public StoreGauges(
            MetricsRepository repository,
            CaHierarchy ca,
            Clock clock,
            MeterRegistry registry,
            @Value("${pki.metrics.refresh-interval:5s}") Duration minInterval) {
        this.minInterval = minInterval;
        this.repository = repository;
        this.ca = ca;
        this.clock = clock;
        certificateExpiry = MultiGauge.builder("pki.certificate.expiry.timestamp")
                .baseUnit("seconds")
                .description("notAfter of each service's current certificate")
                .register(registry);
        caExpiry = MultiGauge.builder("pki.ca.certificate.expiry.timestamp")
                .baseUnit("seconds")
                .description("notAfter of the root, issuing, OCSP signer and TLS certificates")
                .register(registry);
        counts = MultiGauge.builder("pki.certificates")
                .description("Issued certificates by status")
                .register(registry);
        expiring = MultiGauge.builder("pki.certificates.expiring")
                .description("Valid certificates expiring within the window")
                .register(registry);
        crlNextUpdate = MultiGauge.builder("pki.crl.next.update.timestamp")
                .baseUnit("seconds")
                .description("nextUpdate of the latest CRL")
                .register(registry);
        crlEntries = MultiGauge.builder("pki.crl.entries")
                .description("Entries in the latest CRL")
                .register(registry);
        lastSeen = MultiGauge.builder("pki.service.last.seen.timestamp")
                .baseUnit("seconds")
                .description("When a holder of the service's certificates last polled its renewal window")
                .register(registry);
        Gauge.builder(
                        "pki.ocsp.presigned.oldest.this.update.timestamp",
                        scalars,
                        s -> s.getOrDefault("presigned", Double.NaN))
                .baseUnit("seconds")
                .description("Oldest thisUpdate among pre-signed OCSP responses of unexpired certificates")
                .register(registry);
    }

    public synchronized void refresh() {
        Instant now = clock.instant();
        if (Duration.between(refreshedAt, now).compareTo(minInterval) < 0) {
            return;
        }
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (CertificateRecord c : repository.currentPerService(now)) {
                rows.add(MultiGauge.Row.of(
                        Tags.of("service", c.service(), "serial", c.serial(), "profile", c.profile()),
                        c.notAfter().getEpochSecond()));
            }
            certificateExpiry.register(rows, true);
            lastSeen.register(
                    repository.lastSeen().stream()
                            .<MultiGauge.Row<?>>map(s -> MultiGauge.Row.of(
                                    Tags.of("service", s.service()),
                                    s.lastSeenAt().getEpochSecond()))
                            .toList(),
                    true);
            if (ca.initialized()) {
                List<MultiGauge.Row<?>> cas = new ArrayList<>();
                for (CaRole role : CaRole.values()) {
                    cas.add(MultiGauge.Row.of(
                            Tags.of("ca", role.alias()),
                            ca.member(role).record().notAfter().getEpochSecond()));
                }
                caExpiry.register(cas, true);
                List<MultiGauge.Row<?>> next = new ArrayList<>();
                List<MultiGauge.Row<?>> entries = new ArrayList<>();
                for (CaRole role : new CaRole[] {CaRole.ISSUING, CaRole.ROOT}) {
                    String id = ca.member(role).id();
                    repository
                            .crlNextUpdate(id)
                            .ifPresent(
                                    t -> next.add(MultiGauge.Row.of(Tags.of("ca", role.alias()), t.getEpochSecond())));
                    repository
                            .crlEntries(id)
                            .ifPresent(e -> entries.add(MultiGauge.Row.of(Tags.of("ca", role.alias()), e)));
                }
                crlNextUpdate.register(next, true);
                crlEntries.register(entries, true);
            }
            counts.register(
                    List.of(
                            MultiGauge.Row.of(
                                    Tags.of("status", "valid"),
                                    repository.validUntil(now, Instant.parse("9999-12-31T00:00:00Z"))),
                            MultiGauge.Row.of(Tags.of("status", "revoked"), repository.revoked()),
                            MultiGauge.Row.of(Tags.of("status", "expired"), repository.expired(now))),
                    true);
            expiring.register(
                    List.of(
                            MultiGauge.Row.of(
                                    Tags.of("within", "7d"), repository.validUntil(now, now.plus(Duration.ofDays(7)))),
                            MultiGauge.Row.of(
                                    Tags.of("within", "30d"),
                                    repository.validUntil(now, now.plus(Duration.ofDays(30))))),
                    true);
            scalars.put(
                    "presigned",
                    repository
                            .oldestPresigned(now)
                            .map(t -> (double) t.getEpochSecond())
                            .orElse(Double.NaN));
            refreshedAt = now;
        } catch (RuntimeException e) {
            LOG.warn("metrics refresh failed: {}", e.toString());
        }
    }
}
