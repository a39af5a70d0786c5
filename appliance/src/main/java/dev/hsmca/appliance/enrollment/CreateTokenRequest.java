package dev.hsmca.appliance.enrollment;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.util.List;

/**
 * {@code POST /api/v1/install-tokens} body: the token grants its service, profile, names (DNS names exact or
 * {@code *.domain}; IP addresses; client names for the subject CN, such as {@code agent-foo}; URI names such as SPIFFE
 * IDs) and a lifetime cap, carried by every renewal of what it issues.
 */
@Serdeable
public record CreateTokenRequest(@Nullable String service,
                                 @Nullable @JsonProperty("allowed_dns") List<String> allowedDns,
                                 @Nullable @JsonProperty("allowed_ips") List<String> allowedIps,
                                 @Nullable String profile,
                                 @Nullable @JsonProperty("ttl_seconds") Long ttlSeconds,
                                 @Nullable @JsonProperty("max_validity_days") Integer maxValidityDays,
                                 @Nullable @JsonProperty("allowed_cn") List<String> allowedCn,
                                 @Nullable @JsonProperty("allowed_uris") List<String> allowedUris) {
}
