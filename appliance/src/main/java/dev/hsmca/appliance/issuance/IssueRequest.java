package dev.hsmca.appliance.issuance;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** {@code POST /api/v1/certificates} body. */
@Serdeable
public record IssueRequest(@Nullable String csr,
                           @Nullable String profile,
                           @Nullable @JsonProperty("validity_days") Integer validityDays) {
}
