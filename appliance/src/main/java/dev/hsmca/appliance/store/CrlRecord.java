package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/**
 * A generated full CRL, as the responder serves it; {@code coversRevision} is the CRL revision it shows every change
 * up to (null: imported, or made before deltas), the base its delta starts from.
 */
@MappedEntity("crls")
public record CrlRecord(
        @EmbeddedId Key key,
        Instant thisUpdate,
        Instant nextUpdate,
        long entries,
        byte[] crlDer,
        @Nullable Long coversRevision) {

    @Embeddable
    public record Key(
            @MappedProperty("ca_id") String caId,
            @MappedProperty("crl_number") long crlNumber) {}
}
