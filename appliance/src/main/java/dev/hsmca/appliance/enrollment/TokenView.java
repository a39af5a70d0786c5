package dev.hsmca.appliance.enrollment;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.store.InstallToken;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/**
 * An install token as listed: never its secret. {@code token} is set once, in the creation answer, and repeated as
 * {@code install_token} (the integration notes' name).
 */
@Serdeable
public record TokenView(
        @Nullable String token,
        String id,
        String service,
        @JsonProperty("allowed_dns") List<String> allowedDns,
        @JsonProperty("allowed_ips") List<String> allowedIps,
        String profile,
        @JsonProperty("max_validity_days") int maxValidityDays,
        String state,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("created_at") String createdAt,
        @Nullable @JsonProperty("used_at") String usedAt,
        @Nullable @JsonProperty("used_serial") String usedSerial,
        @JsonProperty("allowed_cn") List<String> allowedCn,
        @JsonProperty("allowed_uris") List<String> allowedUris,
        @Nullable String label,
        @Nullable @JsonProperty("install_token") String installToken) {

    public static TokenView of(InstallToken t, String secret, Instant now) {
        return new TokenView(
                secret,
                t.id(),
                t.service(),
                t.dnsNames(),
                t.ipAddresses(),
                t.profile(),
                t.maxValidityDays(),
                t.state(now).text(),
                t.expiresAt().toString(),
                t.createdAt().toString(),
                t.usedAt() == null ? null : t.usedAt().toString(),
                t.usedSerial(),
                t.clientNames(),
                t.uris(),
                t.label(),
                secret);
    }
}
