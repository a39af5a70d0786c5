package dev.hsmca.appliance.ocsp;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Pre-signed OCSP responses.
 *
 * @param presign       sign a response for every unexpired certificate at issuance and revocation
 * @param validityHours nextUpdate - thisUpdate (RFC 5019: a few days)
 */
@ConfigurationProperties("pki.ocsp")
public record OcspConfig(
        @Bindable(defaultValue = "true") boolean presign,
        @Bindable(defaultValue = "96") int validityHours) {}
