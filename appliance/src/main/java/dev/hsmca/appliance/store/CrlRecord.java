package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/** A generated CRL, as the responder serves it. */
@MappedEntity("crls")
public record CrlRecord(@EmbeddedId Key key, Instant thisUpdate, Instant nextUpdate, long entries, byte[] crlDer) {

    @Embeddable
    public record Key(
            @MappedProperty("ca_id") String caId,
            @MappedProperty("crl_number") long crlNumber) {}
}
