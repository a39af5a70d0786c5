package dev.hsmca.appliance.issuance;

import dev.hsmca.core.CertificateStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The operator console's questions about the certificate store, answered in SQL a page at a time (a store of a
 * hundred thousand certificates never comes into memory): search by name, serial, service, profile and status in
 * expiry order, counts by status, and issuance per hour.
 */
@Singleton
public class CertificateSearch {
    /** Which certificates a search shows. */
    public enum Shown {
        ANY,
        VALID,
        REVOKED,
        EXPIRED
    }

    /**
     * A search: {@code text} matches a serial prefix (hex) or part of the subject or a DNS name; null or blank fields
     * match any. {@code after} is the last hit of the page before (expiry order).
     */
    public record Query(
            @Nullable String text,
            Shown shown,
            @Nullable String profile,
            @Nullable String service,
            @Nullable Instant expiringBefore,
            @Nullable Cursor after,
            int limit) {}

    public record Cursor(Instant notAfter, String serial) {}

    public record Hit(
            String serial,
            String subject,
            String dnsNames,
            String profile,
            @Nullable String service,
            CertificateStatus status,
            Instant notAfter,
            @Nullable Instant revokedAt,
            Shown shown) {
        /** valid, revoked or expired, as of the search. */
        public String state() {
            return shown.name().toLowerCase(Locale.ROOT);
        }

        public Cursor cursor() {
            return new Cursor(notAfter, serial);
        }
    }

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,40}");
    public static final int MAX_LIMIT = 200;

    private final DataSource dataSource;

    public CertificateSearch(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Transactional(readOnly = true)
    public List<Hit> find(Query q, Instant now) {
        StringBuilder sql =
                new StringBuilder("SELECT serial, subject_dn, dns_names, profile, service, status, not_after, "
                        + "revoked_at FROM certificates WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        String text = q.text() == null ? "" : q.text().strip().toLowerCase(Locale.ROOT);
        if (!text.isEmpty()) {
            // '!' escapes: a backslash is read differently by PostgreSQL without standard_conforming_strings
            String like = "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
            sql.append(" AND (LOWER(subject_dn) LIKE ? ESCAPE '!' OR LOWER(dns_names) LIKE ? ESCAPE '!'");
            args.add(like);
            args.add(like);
            String serial = text.startsWith("0x") ? text.substring(2) : text.replace(":", "");
            if (HEX.matcher(serial).matches()) {
                sql.append(" OR serial LIKE ?");
                args.add(serial.replaceFirst("^0+(?=.)", "") + "%");
            }
            sql.append(')');
        }
        switch (q.shown()) {
            case VALID -> {
                sql.append(" AND status = 'valid' AND not_after > ?");
                args.add(Timestamp.from(now));
            }
            case REVOKED -> sql.append(" AND status = 'revoked'");
            case EXPIRED -> {
                sql.append(" AND status = 'valid' AND not_after <= ?");
                args.add(Timestamp.from(now));
            }
            case ANY -> {}
        }
        equal(sql, args, "profile", q.profile());
        equal(sql, args, "service", q.service());
        if (q.expiringBefore() != null) { // expiring: not yet expired
            sql.append(" AND not_after > ? AND not_after <= ?");
            args.add(Timestamp.from(now));
            args.add(Timestamp.from(q.expiringBefore()));
        }
        if (q.after() != null) {
            sql.append(" AND (not_after > ? OR (not_after = ? AND serial > ?))");
            Timestamp at = Timestamp.from(q.after().notAfter());
            args.add(at);
            args.add(at);
            args.add(q.after().serial());
        }
        sql.append(" ORDER BY not_after, serial LIMIT ?");
        args.add(Math.max(1, Math.min(q.limit(), MAX_LIMIT)));
        List<Hit> hits = new ArrayList<>();
        query(sql.toString(), args, rs -> {
            Timestamp revoked = rs.getTimestamp(8);
            CertificateStatus status = CertificateStatus.stored(rs.getString(6));
            Instant notAfter = rs.getTimestamp(7).toInstant();
            hits.add(new Hit(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3) == null ? "" : rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    status,
                    notAfter,
                    revoked == null ? null : revoked.toInstant(),
                    status == CertificateStatus.REVOKED
                            ? Shown.REVOKED
                            : notAfter.isAfter(now) ? Shown.VALID : Shown.EXPIRED));
        });
        return hits;
    }

    /** The certificates that renewed this one (a renewal names the certificate it renewed). */
    @Transactional(readOnly = true)
    public List<String> renewalsOf(String serial) {
        List<String> serials = new ArrayList<>();
        query(
                "SELECT serial FROM certificates WHERE renewal_of = ? ORDER BY created_at LIMIT 20",
                List.of(serial),
                rs -> serials.add(rs.getString(1)));
        return serials;
    }

    /** How many certificates are valid, revoked and expired (unrevoked past notAfter). */
    @Transactional(readOnly = true)
    public Map<Shown, Long> counts(Instant now) {
        Map<Shown, Long> counts = new EnumMap<>(Shown.class);
        query(
                "SELECT CASE WHEN status = 'revoked' THEN 'REVOKED' WHEN not_after > ? THEN 'VALID' ELSE 'EXPIRED' END,"
                        + " COUNT(*) FROM certificates GROUP BY 1",
                List.of(Timestamp.from(now)),
                rs -> counts.put(Shown.valueOf(rs.getString(1)), rs.getLong(2)));
        for (Shown s : List.of(Shown.VALID, Shown.REVOKED, Shown.EXPIRED)) {
            counts.putIfAbsent(s, 0L);
        }
        counts.put(Shown.ANY, counts.get(Shown.VALID) + counts.get(Shown.REVOKED) + counts.get(Shown.EXPIRED));
        return counts;
    }

    /** Valid certificates that expire within {@code within} of now. */
    @Transactional(readOnly = true)
    public long expiring(Instant now, Duration within) {
        long[] n = {0};
        query(
                "SELECT COUNT(*) FROM certificates WHERE not_after > ? AND not_after <= ? AND status = 'valid'",
                List.of(Timestamp.from(now), Timestamp.from(now.plus(within))),
                rs -> n[0] = rs.getLong(1));
        return n[0];
    }

    /** Certificates issued in each of the last {@code hours} hours, oldest first (the last is the hour to now). */
    @Transactional(readOnly = true)
    public long[] issuedPerHour(Instant now, int hours) {
        // counted by the database over the created_at index: a busy day is millions of rows, never read here
        StringBuilder sql = new StringBuilder("SELECT ");
        List<Object> args = new ArrayList<>();
        Instant since = now.minus(Duration.ofHours(hours));
        for (int h = 0; h < hours; h++) {
            sql.append(h == 0 ? "" : ", ")
                    .append("SUM(CASE WHEN created_at > ? AND created_at <= ? THEN 1 ELSE 0 END)");
            args.add(Timestamp.from(since.plus(Duration.ofHours(h))));
            args.add(Timestamp.from(since.plus(Duration.ofHours(h + 1L))));
        }
        sql.append(" FROM certificates WHERE created_at > ?");
        args.add(Timestamp.from(since));
        long[] counts = new long[hours];
        query(sql.toString(), args, rs -> {
            for (int h = 0; h < hours; h++) {
                counts[h] = rs.getLong(h + 1);
            }
        });
        return counts;
    }

    private static void equal(StringBuilder sql, List<Object> args, String column, @Nullable String value) {
        if (value != null && !value.isBlank()) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value.strip());
        }
    }

    private interface Reader {
        void read(ResultSet rs) throws SQLException;
    }

    /** On the caller's transaction's connection (closed by the transaction, not here). */
    private void query(String sql, List<Object> args, Reader reader) {
        try {
            Connection c = dataSource.getConnection();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    s.setObject(i + 1, args.get(i));
                }
                s.setFetchSize(500);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        reader.read(rs);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot search certificates: " + e.getMessage(), e);
        }
    }
}
