package dev.hsmca.appliance.enrollment;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * {@code POST /api/v1/enroll-keys} body: the key grants its service, profile (by default {@code tls-server}), names
 * (DNS names exact or {@code *.domain}; IP addresses) and a lifetime cap ({@code max_validity}, such as {@code 7d}; by
 * default the profile's maximum), carried by every renewal of what it issues. It may be used {@code max_uses} times
 * in all and {@code per_hour} times an hour (each unlimited when absent) until {@code expires} (a duration from now,
 * such as {@code 30d}; by default 30 days, at most 366).
 */
@Serdeable
public record CreateEnrollKeyRequest(
        @Nullable String service,
        @Nullable @JsonProperty("allowed_dns") List<String> allowedDns,
        @Nullable @JsonProperty("allowed_ips") List<String> allowedIps,
        @Nullable String profile,
        @Nullable @JsonProperty("max_uses") Integer maxUses,
        @Nullable @JsonProperty("per_hour") Integer perHour,
        @Nullable String expires,
        @Nullable @JsonProperty("max_validity") String maxValidity,
        @Nullable String label) {}
