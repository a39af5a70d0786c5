package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A workload token used for a certificate ({@code id}: issuer and jti), kept until the token expires. */
@MappedEntity("workload_tokens")
public record WorkloadTokenUse(
        @Id String id, String issuer, String jti, String subject, Instant expiresAt, Instant usedAt, String serial) {}
