package dev.hsmca.appliance.enrollment;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.domain.Validity;
import dev.hsmca.appliance.store.EnrollKey;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/** An enrollment key as listed: never its secret. {@code key} is set once, in the creation answer. */
@Serdeable
public record EnrollKeyView(
        @Nullable String key,
        String id,
        String service,
        @JsonProperty("allowed_dns") List<String> allowedDns,
        @JsonProperty("allowed_ips") List<String> allowedIps,
        String profile,
        @JsonProperty("max_validity") String maxValidity,
        @Nullable @JsonProperty("max_uses") Integer maxUses,
        @Nullable @JsonProperty("per_hour") Integer perHour,
        int uses,
        @Nullable Integer remaining,
        String state,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("created_at") String createdAt,
        @Nullable @JsonProperty("last_used_at") String lastUsedAt,
        @Nullable @JsonProperty("last_serial") String lastSerial,
        @Nullable @JsonProperty("revoked_at") String revokedAt,
        @Nullable String label) {

    public static EnrollKeyView of(EnrollKey k, String secret, Instant now) {
        return new EnrollKeyView(
                secret,
                k.id(),
                k.service(),
                k.dnsNames(),
                k.ipAddresses(),
                k.profile(),
                Validity.format(k.maxValidity()),
                k.maxUses(),
                k.perHour(),
                k.uses(),
                k.remaining(),
                k.state(now).text(),
                k.expiresAt().toString(),
                k.createdAt().toString(),
                k.lastUsedAt() == null ? null : k.lastUsedAt().toString(),
                k.lastSerial(),
                k.revokedAt() == null ? null : k.revokedAt().toString(),
                k.label());
    }
}
