package dev.hsmca.appliance.store;

import dev.hsmca.core.CaRole;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.model.DataType;
import java.time.Instant;

/**
 * A CA-side certificate (root, issuing, OCSP signer, the appliance's TLS certificate). Part of the schema the
 * OCSP responder reads: an issuer is found by the SHA-1 or SHA-256 hashes of its name and key, as in a CertID.
 */
@MappedEntity("ca_certificates")
public record CaCertificateRecord(
        @Id String id,

        @TypeDef(type = DataType.STRING, converter = CaRoleConverter.class)
        CaRole role,

        String keyAlias,
        String subjectDn,
        String serial,
        @Nullable String parentId,
        String keyAlgorithm,
        String nameHashSha1,
        String keyHashSha1,
        String nameHashSha256,
        String keyHashSha256,
        Instant notBefore,
        Instant notAfter,
        byte[] certificateDer,
        boolean active,
        Instant createdAt,
        @Nullable String activeRole) {

    /** A new active row: {@code activeRole} is the role while active (the schema allows one active row per role). */
    public static CaCertificateRecord active(
            String id,
            CaRole role,
            String keyAlias,
            String subjectDn,
            String serial,
            String parentId,
            String keyAlgorithm,
            String nameHashSha1,
            String keyHashSha1,
            String nameHashSha256,
            String keyHashSha256,
            Instant notBefore,
            Instant notAfter,
            byte[] certificateDer,
            Instant createdAt) {
        return new CaCertificateRecord(
                id,
                role,
                keyAlias,
                subjectDn,
                serial,
                parentId,
                keyAlgorithm,
                nameHashSha1,
                keyHashSha1,
                nameHashSha256,
                keyHashSha256,
                notBefore,
                notAfter,
                certificateDer,
                true,
                createdAt,
                role.alias());
    }
}
