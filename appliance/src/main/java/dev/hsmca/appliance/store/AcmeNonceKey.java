package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** The key replay nonces are MACed with (base64url), shared by every replica; one row, made once. */
@MappedEntity("acme_nonce_keys")
public record AcmeNonceKey(@Id String id, String secret, Instant createdAt) {}
