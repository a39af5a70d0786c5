package dev.hsmca.appliance.crl;

import io.micronaut.core.annotation.Nullable;

/**
 * Published inside a transaction that changed what a CRL must show; delivered once that transaction commits.
 * {@code shard}: the CRL shard the certificate's distribution point names (null: none).
 */
public record CrlChanged(String serial, @Nullable Integer shard) {}
