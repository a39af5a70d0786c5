package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.model.DataType;
import java.time.Instant;

/** An ACME account: its key (JWK JSON and RFC 7638 thumbprint), status and contacts. */
@MappedEntity("acme_accounts")
public record AcmeAccount(
        @Id String id,
        String thumbprint,
        String jwk,

        @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Account.class)
        Status status,

        String contact,
        @Nullable String eabKid,
        Instant createdAt) {
    /** Valid; deactivated by itself; revoked by an admin (final). */
    public enum Status implements AcmeStatus {
        VALID,
        DEACTIVATED,
        REVOKED
    }
}
