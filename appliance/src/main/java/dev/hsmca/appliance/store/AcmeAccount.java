package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** An ACME account: its key (JWK JSON and RFC 7638 thumbprint), status (valid, deactivated) and contacts. */
@MappedEntity("acme_accounts")
public record AcmeAccount(@Id String id, String thumbprint, String jwk, String status, String contact,
                          @Nullable String eabKid, Instant createdAt) {
}
