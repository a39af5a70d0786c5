package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** One audit record; {@code hash} covers every other field and the previous entry's hash. */
@MappedEntity("audit_log")
public record AuditEntry(
        @Id long seq,
        Instant at,
        String actor,
        String action,
        String subject,
        String outcome,
        String details,
        String prevHash,
        String hash) {}
