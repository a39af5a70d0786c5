package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** A replay nonce handed out and not yet used. */
@MappedEntity("acme_nonces")
public record AcmeNonce(@Id String nonce, Instant expiresAt) {
}
