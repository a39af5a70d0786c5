package dev.hsmca.ocsp.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** The status columns of a row of certificates. */
@MappedEntity("certificates")
public record StatusRow(
        @Id String serial,
        String issuerId,
        String status,
        Instant notAfter,
        @Nullable Instant revokedAt,
        @Nullable String revocationReason) {}
