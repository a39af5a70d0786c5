package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** {@code POST /api/v1/certificates/renew} body. */
@Serdeable
public record RenewRequest(
        @Nullable String csr,
        @Nullable @JsonProperty("validity_days") Integer validityDays,
        @Nullable @JsonProperty("revoke_old") Boolean revokeOld,
        @Nullable String validity) {}
