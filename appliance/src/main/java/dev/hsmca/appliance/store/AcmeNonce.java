package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A replay nonce row as appliances before V11 wrote them; now only purged (the table is dropped later). */
@MappedEntity("acme_nonces")
public record AcmeNonce(@Id String nonce, Instant expiresAt) {}
