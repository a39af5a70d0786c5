package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.serde.annotation.Serdeable;

/** A CA-side certificate as {@code GET /api/v1/ca/certificates} shows it. */
@Serdeable
public record CaCertificateView(
        String role,
        String id,
        String subject,
        String serial,
        @JsonProperty("key_algorithm") String keyAlgorithm,
        @JsonProperty("not_after") String notAfter,
        @JsonProperty("days_until_expiry") long daysUntilExpiry) {}
