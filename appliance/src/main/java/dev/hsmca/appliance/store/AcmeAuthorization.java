package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.model.DataType;
import java.time.Instant;

/** The proof of control of one DNS name for one order. */
@MappedEntity("acme_authorizations")
public record AcmeAuthorization(
        @Id String id,
        String orderId,
        String accountId,
        String identifier,
        boolean wildcard,

        @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Authorization.class)
        Status status,

        Instant expiresAt) {
    public enum Status implements AcmeStatus {
        PENDING,
        VALID,
        INVALID,
        DEACTIVATED
    }
}
