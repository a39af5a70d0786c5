package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/** A signed OCSP response waiting to be served, for one certificate and one CertID hash algorithm. */
@MappedEntity("ocsp_responses")
public record PresignedResponse(
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
