package dev.hsmca.ocsp.store;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/** A response the appliance signed ahead of time. */
@MappedEntity("ocsp_responses")
public record PresignedRow(
        @EmbeddedId Key key,
        String issuerId,
        String status,
        Instant thisUpdate,
        Instant nextUpdate,
        byte[] responseDer) {
    @Embeddable
    public record Key(
            @MappedProperty("serial") String serial,
            @MappedProperty("hash_algorithm") String hashAlgorithm) {}
}
