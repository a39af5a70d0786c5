package dev.hsmca.appliance.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.x509.NameLists;
import dev.hsmca.core.CertificateStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A certificate as the API shows it. */
@Serdeable
public record CertificateView(
        String serial,
        String status,
        String subject,
        @JsonProperty("dns_names") List<String> dnsNames,
        @JsonProperty("ip_addresses") List<String> ipAddresses,
        String profile,
        @Nullable String service,
        String issuer,
        @JsonProperty("not_before") String notBefore,
        @JsonProperty("not_after") String notAfter,
        @JsonProperty("days_until_expiry") long daysUntilExpiry,
        @Nullable @JsonProperty("revoked_at") String revokedAt,
        @Nullable @JsonProperty("revocation_reason") String revocationReason,
        @Nullable @JsonProperty("enroll_key") String enrollKey) {

    public static CertificateView of(CertificateRecord r, Instant now) {
        String status = r.status() == CertificateStatus.REVOKED
                ? "revoked"
                : r.notAfter().isAfter(now) ? "valid" : "expired";
        return new CertificateView(
                r.serial(),
                status,
                r.subjectDn(),
                NameLists.split(r.dnsNames()),
                NameLists.split(r.ipAddresses()),
                r.profile(),
                r.service(),
                r.issuerId(),
                r.notBefore().toString(),
                r.notAfter().toString(),
                Duration.between(now, r.notAfter()).toDays(),
                r.revokedAt() == null ? null : r.revokedAt().toString(),
                r.revocationReason(),
                r.enrollKeyId());
    }
}
