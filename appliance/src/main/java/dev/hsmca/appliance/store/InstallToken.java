package dev.hsmca.appliance.store;

import dev.hsmca.appliance.x509.NameLists;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;
import java.util.List;

/**
 * A one-time install token. Only the SHA-256 of its secret is stored. It grants a service, a profile, DNS names
 * (exact, or {@code *.domain} for one label below), IP addresses, URI names, client names for the subject CN, and a
 * lifetime cap.
 */
@MappedEntity("install_tokens")
public record InstallToken(
        @Id String id,
        String secretHash,
        String service,
        String allowedDns,
        String allowedIps,
        String profile,
        int maxValidityDays,
        Instant expiresAt,
        Instant createdAt,
        String createdBy,
        @Nullable Instant usedAt,
        @Nullable String usedSerial,
        @Nullable Instant revokedAt,
        @Nullable String allowedCn,
        @Nullable String allowedUris,
        @Nullable String label) {

    public List<String> dnsNames() {
        return NameLists.split(allowedDns);
    }

    public List<String> ipAddresses() {
        return NameLists.split(allowedIps);
    }

    /** Client names (subject CNs that are not host names) the token grants. */
    public List<String> clientNames() {
        return NameLists.split(allowedCn);
    }

    public List<String> uris() {
        return NameLists.split(allowedUris);
    }

    /** The same precedence as {@link InstallTokenRepository#list}: revoked, then used, then expired or unused. */
    public TokenState state(Instant now) {
        if (revokedAt != null) {
            return TokenState.REVOKED;
        }
        if (usedAt != null) {
            return TokenState.USED;
        }
        return expiresAt.isAfter(now) ? TokenState.UNUSED : TokenState.EXPIRED;
    }
}
