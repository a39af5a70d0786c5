package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** The proof of control of one DNS name for one order: pending, valid, invalid, deactivated. */
@MappedEntity("acme_authorizations")
public record AcmeAuthorization(@Id String id, String orderId, String accountId, String identifier, boolean wildcard,
                                String status, Instant expiresAt) {
}
