package dev.hsmca.appliance.issuance;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.serde.annotation.Serdeable;

/** What a successful issuance returns. Times are RFC 3339 UTC. */
@Serdeable
public record IssuedCertificate(
        String serial,
        @JsonProperty("certificate_pem") String certificatePem,
        @JsonProperty("chain_pem") String chainPem,
        @JsonProperty("not_before") String notBefore,
        @JsonProperty("not_after") String notAfter,
        String profile) {}
