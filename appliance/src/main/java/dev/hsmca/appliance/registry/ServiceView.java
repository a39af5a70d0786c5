package dev.hsmca.appliance.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.domain.CertificateView;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;

/** A service with the certificate it uses now. */
@Serdeable
public record ServiceView(
        String service,
        @JsonProperty("display_name") String displayName,
        List<String> endpoints,
        @Nullable @JsonProperty("health_check_url") String healthCheckUrl,
        Map<String, Object> metadata,
        @JsonProperty("registered_at") String registeredAt,
        @JsonProperty("updated_at") String updatedAt,
        @Nullable @JsonProperty("current_certificate") CertificateView currentCertificate,
        @Nullable @JsonProperty("days_until_expiry") Long daysUntilExpiry,
        @Nullable @JsonProperty("last_renewal_at") String lastRenewalAt,
        @Nullable @JsonProperty("last_seen") String lastSeen) {}
