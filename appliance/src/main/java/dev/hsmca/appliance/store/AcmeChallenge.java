package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.model.DataType;
import java.time.Instant;

/**
 * One way to prove an authorization (http-01, dns-01, tls-alpn-01). A failed one keeps its problem: the RFC 8555
 * type's short name ({@code dns}, {@code connection}) and the detail.
 */
@MappedEntity("acme_challenges")
public record AcmeChallenge(
        @Id String id,
        String authzId,
        String type,
        String token,

        @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Challenge.class)
        Status status,

        @Nullable Instant validatedAt,
        @Nullable String errorType,
        @Nullable String errorDetail) {
    /** Pending until the client's "go"; processing while the validator looks; then valid or invalid. */
    public enum Status implements AcmeStatus {
        PENDING,
        PROCESSING,
        VALID,
        INVALID
    }
}
