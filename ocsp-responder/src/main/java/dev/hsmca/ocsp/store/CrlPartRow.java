package dev.hsmca.ocsp.store;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/** A shard's CRL or the full CRL's delta ({@code part} -1), as the appliance stored it. */
@MappedEntity("crl_parts")
public record CrlPartRow(@EmbeddedId Key key, Instant thisUpdate, Instant nextUpdate, long entries, byte[] crlDer) {
    @Embeddable
    public record Key(
            @MappedProperty("ca_id") String caId,
            @MappedProperty("part") int part,
            @MappedProperty("crl_number") long crlNumber) {}
}
