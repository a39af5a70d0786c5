package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.store.CertificateRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated list query. Pages are ordered by (not_after, serial); the cursor is that position of the last
 * row returned, opaque to clients.
 */
public record CertificateQuery(
        String status,
        String service,
        String enrollKey,
        Instant now,
        Instant minNotAfter,
        Instant maxNotAfter,
        Instant afterNotAfter,
        String afterSerial,
        int limit) {
    static final int MAX_LIMIT = 500;
    private static final Set<String> STATUSES = Set.of("any", "valid", "revoked", "expired");
    private static final Instant FAR_FUTURE = Instant.parse("9999-12-31T00:00:00Z");
    private static final Instant EPOCH = Instant.parse("1970-01-01T00:00:00Z");
    private static final Pattern ENROLL_KEY_ID = Pattern.compile("^[0-9a-f]{16}$");

    public static CertificateQuery parse(
            String status, Integer expiringWithinDays, Integer limit, String cursor, Instant now) {
        return parse(status, null, expiringWithinDays, limit, cursor, now);
    }

    public static CertificateQuery parse(
            String status, String service, Integer expiringWithinDays, Integer limit, String cursor, Instant now) {
        return parse(status, service, null, expiringWithinDays, limit, cursor, now);
    }

    /** {@code enrollKey}: only what that enrollment key issued, and the renewals of it (the id, 16 hex digits). */
    public static CertificateQuery parse(
            String status,
            String service,
            String enrollKey,
            Integer expiringWithinDays,
            Integer limit,
            String cursor,
            Instant now) {
        String key = enrollKey == null || enrollKey.isBlank() ? "" : enrollKey;
        if (!key.isEmpty() && !ENROLL_KEY_ID.matcher(key).matches()) {
            throw PkiException.malformed(
                    "invalid_enroll_key", "enroll_key must be an enrollment key's id (16 hex digits)");
        }
        String svc = service == null || service.isBlank() ? "" : ServiceId.require(service);
        String s = status == null || status.isBlank() ? "any" : status.toLowerCase(Locale.ROOT);
        if (!STATUSES.contains(s)) {
            throw PkiException.malformed("invalid_status", "status must be one of valid, revoked, expired, any");
        }
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw PkiException.malformed("invalid_limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        Instant min = EPOCH;
        Instant max = FAR_FUTURE;
        if (expiringWithinDays != null) {
            if (expiringWithinDays < 0 || expiringWithinDays > 36500) {
                throw PkiException.malformed("invalid_expiring_within_days", "expiring_within_days must be 0 to 36500");
            }
            min = now;
            max = now.plus(Duration.ofDays(expiringWithinDays));
        }
        Instant afterNotAfter = EPOCH.minusSeconds(1);
        String afterSerial = "";
        if (cursor != null && !cursor.isBlank()) {
            try {
                String[] parts =
                        new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 2);
                afterNotAfter = Instant.ofEpochMilli(Long.parseLong(parts[0]));
                afterSerial = parts[1];
                if (!afterSerial.matches("[0-9a-f]{1,40}")) {
                    throw new IllegalArgumentException();
                }
            } catch (RuntimeException e) {
                throw PkiException.malformed("invalid_cursor", "cursor is not one this server returned");
            }
        }
        return new CertificateQuery(s, svc, key, now, min, max, afterNotAfter, afterSerial, n);
    }

    public static String cursorAfter(CertificateRecord last) {
        String position = last.notAfter().toEpochMilli() + ":" + last.serial();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }
}
