package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * A registered service; endpoints and metadata are stored as JSON text. {@code lastSeenAt}: when a holder of one of
 * its certificates last polled its renewal window.
 */
@MappedEntity("services")
public record ServiceRecord(
        @Id String service,
        String displayName,
        String endpoints,
        @Nullable String healthCheckUrl,
        String metadata,
        Instant createdAt,
        Instant updatedAt,
        @Nullable Instant lastRenewalAt,
        @Nullable Instant lastSeenAt) {}
