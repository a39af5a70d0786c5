package dev.hsmca.appliance.store;

import dev.hsmca.core.CertificateStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.model.DataType;
import java.time.Instant;

/**
 * An issued end-entity certificate. Status is queryable by (issuer_id, serial): the OCSP responder and CRL
 * generator read this table, not the CA's code.
 *
 * @param serial      lowercase hex, no leading zeros
 * @param dnsNames    comma-separated DNS SANs
 * @param ipAddresses comma-separated IP SANs
 * @param status      {@code valid} or {@code revoked} (expiry is derived from {@code notAfter})
 * @param renewalOf   for a renewal, the serial of the certificate it replaced
 * @param renewRequestedAt when an admin moved the renewal window to that moment ({@link RenewalWindow})
 * @param maxValiditySeconds the lifetime cap of the grant it was issued under, carried by its renewals (null: from
 *                    before caps were stored)
 * @param uris        comma-separated URI SANs, or null
 * @param enrollKeyId the enrollment key it was issued under, first or through renewals; null for none
 * @param crlShard    the CRL shard its distribution point names; null: it names the full CRL, or none (short-lived)
 */
@MappedEntity("certificates")
public record CertificateRecord(
        @Id String serial,
        String issuerId,
        String subjectDn,
        String dnsNames,
        String ipAddresses,
        String profile,
        @Nullable String service,

        @TypeDef(type = DataType.STRING, converter = CertificateStatusConverter.class)
        CertificateStatus status,

        Instant notBefore,
        Instant notAfter,
        @Nullable Instant revokedAt,
        @Nullable String revocationReason,
        byte[] certificateDer,
        Instant createdAt,
        @Nullable String renewalOf,
        @Nullable Instant renewRequestedAt,
        @Nullable Long maxValiditySeconds,
        @Nullable String uris,
        @Nullable String enrollKeyId,
        @Nullable Integer crlShard) {}
