package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An External Account Binding key: the account it binds may order certificates for {@code service}, under
 * {@code profile}, for the DNS names in {@code allowedDns} (comma-separated; {@code *.x} allows subdomains of x).
 */
@MappedEntity("acme_eab_keys")
public record AcmeEabKey(
        @Id String kid,
        String hmacKey,
        String service,
        String profile,
        String allowedDns,
        Instant createdAt,
        String createdBy,
        @Nullable String accountId,
        @Nullable Instant revokedAt) {}
