package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** An order: pending, ready, processing, valid or invalid; {@code identifiers} are comma-separated DNS names. */
@MappedEntity("acme_orders")
public record AcmeOrder(@Id String id, String accountId, String status, String identifiers, Instant expiresAt,
                        @Nullable String certificateSerial, @Nullable String error, Instant createdAt) {
}
