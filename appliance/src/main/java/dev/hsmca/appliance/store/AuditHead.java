package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Introspected;

/** The last entry of the chain. */
@Introspected
public record AuditHead(long seq, String hash) {}
