package dev.hsmca.ocsp.store;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

@MappedEntity("crls")
public record CrlRow(@EmbeddedId Key key, Instant thisUpdate, Instant nextUpdate, long entries, byte[] crlDer) {
    @Embeddable
    public record Key(
            @MappedProperty("ca_id") String caId,
            @MappedProperty("crl_number") long crlNumber) {}
}
