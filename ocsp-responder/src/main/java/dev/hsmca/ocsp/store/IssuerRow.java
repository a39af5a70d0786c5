package dev.hsmca.ocsp.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A row of ca_certificates, read-only: the responder knows the schema, not the appliance's code. */
@MappedEntity("ca_certificates")
public record IssuerRow(
        @Id String id,
        String role,
        @Nullable String parentId,
        String serial,
        String nameHashSha1,
        String keyHashSha1,
        String nameHashSha256,
        String keyHashSha256,
        Instant notAfter,
        byte[] certificateDer,
        boolean active) {}
