package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** One way to prove an authorization (http-01, dns-01, tls-alpn-01): pending, processing, valid, invalid. */
@MappedEntity("acme_challenges")
public record AcmeChallenge(@Id String id, String authzId, String type, String token, String status,
                            @Nullable Instant validatedAt, @Nullable String error) {
}
