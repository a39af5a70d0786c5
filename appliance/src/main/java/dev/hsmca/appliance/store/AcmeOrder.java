package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.model.DataType;
import java.time.Instant;

/** An order; {@code identifiers} are comma-separated DNS names. */
@MappedEntity("acme_orders")
public record AcmeOrder(
        @Id String id,
        String accountId,

        @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Order.class)
        Status status,

        String identifiers,
        Instant expiresAt,
        @Nullable String certificateSerial,
        @Nullable String error,
        Instant createdAt) {
    /** Pending until every authorization is valid, then ready; processing while finalize signs; valid once issued. */
    public enum Status implements AcmeStatus {
        PENDING,
        READY,
        PROCESSING,
        VALID,
        INVALID
    }
}
