package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** {@code POST /api/v1/certificates} body; {@code service} is for admins (a token names its own). */
@Serdeable
public record IssueRequest(
        @Nullable String csr,
        @Nullable String profile,
        @Nullable @JsonProperty("validity_days") Integer validityDays,
        @Nullable String service,
        @Nullable String validity) {

    public IssueRequest(String csr, String profile, Integer validityDays) {
        this(csr, profile, validityDays, null, null);
    }
}
