package dev.hsmca.appliance.store;

import dev.hsmca.appliance.x509.NameLists;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A reusable enrollment key. Only the SHA-256 of its secret is stored. It grants a service, a profile, DNS names
 * (exact, or {@code *.domain} for one label below) and IP addresses, and a lifetime cap; it may be used
 * {@code maxUses} times in all (null: no limit but its expiry) and {@code perHour} times in an hour's window.
 *
 * @param windowStart when the current hour's window began (the first use an hour or more after the last window's start)
 * @param windowUses  uses counted in that window
 */
@MappedEntity("enroll_keys")
public record EnrollKey(
        @Id String id,
        String secretHash,
        String service,
        String allowedDns,
        String allowedIps,
        String profile,
        long maxValiditySeconds,
        @Nullable Integer maxUses,
        @Nullable Integer perHour,
        int uses,
        Instant windowStart,
        int windowUses,
        Instant expiresAt,
        Instant createdAt,
        String createdBy,
        @Nullable Instant lastUsedAt,
        @Nullable String lastSerial,
        @Nullable Instant revokedAt,
        @Nullable String label) {

    /** The length of the per-hour window. */
    public static final Duration WINDOW = Duration.ofHours(1);

    public List<String> dnsNames() {
        return NameLists.split(allowedDns);
    }

    public List<String> ipAddresses() {
        return NameLists.split(allowedIps);
    }

    public Duration maxValidity() {
        return Duration.ofSeconds(maxValiditySeconds);
    }

    /** Where a key is in its life; the same precedence as {@link EnrollKeyRepository#list}. */
    public enum State {
        ACTIVE,
        EXHAUSTED,
        EXPIRED,
        REVOKED;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<State> parse(String text) {
            return Arrays.stream(values()).filter(s -> s.text().equals(text)).findFirst();
        }
    }

    public State state(Instant now) {
        if (revokedAt != null) {
            return State.REVOKED;
        }
        if (!expiresAt.isAfter(now)) {
            return State.EXPIRED;
        }
        if (maxUses != null && uses >= maxUses) {
            return State.EXHAUSTED;
        }
        return State.ACTIVE;
    }

    /** Uses left in all; null when unlimited. */
    public Integer remaining() {
        return maxUses == null ? null : Math.max(0, maxUses - uses);
    }

    /** Whether the hour's window is full at {@code now} (a new window starts at the first use after it ends). */
    public boolean hourFull(Instant now) {
        return perHour != null && windowStart.plus(WINDOW).isAfter(now) && windowUses >= perHour;
    }
}
