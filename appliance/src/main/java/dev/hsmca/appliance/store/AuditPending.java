package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** An audit entry committed with its change and not yet chained (the id comes from the database). */
@MappedEntity("audit_pending")
public record AuditPending(
        @Id @GeneratedValue(GeneratedValue.Type.IDENTITY) @Nullable
        Long id,

        Instant at,
        String actor,
        String action,
        String subject,
        String outcome,
        String details) {}
