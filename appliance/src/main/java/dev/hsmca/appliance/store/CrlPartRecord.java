package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/**
 * A shard's CRL ({@code part} = the shard number) or the full CRL's delta ({@code part} = {@link #DELTA}), as the
 * responder serves it. {@code coversRevision}: it shows every change up to this CRL revision; {@code baseNumber}: a
 * delta's base (the full CRL it adds to); {@code namedUrl}: the URL a shard's issuing distribution point names.
 */
@MappedEntity("crl_parts")
public record CrlPartRecord(
        @EmbeddedId Key key,
        @Nullable Long baseNumber,
        long coversRevision,
        Instant thisUpdate,
        Instant nextUpdate,
        long entries,
        byte[] crlDer,
        @Nullable String namedUrl) {

    public static final int DELTA = -1;

    @Embeddable
    public record Key(
            @MappedProperty("ca_id") String caId,
            @MappedProperty("part") int part,
            @MappedProperty("crl_number") long crlNumber) {}
}
