package dev.hsmca.appliance.enrollment;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * {@code POST /api/v1/install-tokens} body: the token grants its service, profile, names (DNS names exact or
 * {@code *.domain}; IP addresses; client names for the subject CN, such as {@code agent-foo}; URI names such as SPIFFE
 * IDs) and a lifetime cap, carried by every renewal of what it issues (by default the profile's maximum).
 * The integration notes' form is accepted too: {@code service_name} for {@code service}, {@code service_type}
 * ({@code agent}: a client certificate named {@code agent-<service>}; {@code controller}: server and client) for the
 * profile, and {@code controller_name} as the token's {@code label}.
 */
@Serdeable
public record CreateTokenRequest(
        @Nullable String service,
        @Nullable @JsonProperty("allowed_dns") List<String> allowedDns,
        @Nullable @JsonProperty("allowed_ips") List<String> allowedIps,
        @Nullable String profile,
        @Nullable @JsonProperty("ttl_seconds") Long ttlSeconds,
        @Nullable @JsonProperty("max_validity_days") Integer maxValidityDays,
        @Nullable @JsonProperty("allowed_cn") List<String> allowedCn,
        @Nullable @JsonProperty("allowed_uris") List<String> allowedUris,
        @Nullable @JsonProperty("service_name") String serviceName,
        @Nullable @JsonProperty("service_type") String serviceType,
        @Nullable @JsonProperty("controller_name") String controllerName,
        @Nullable String label) {}
