package dev.hsmca.appliance.store;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What decides which shard or delta CRLs are owed, read without their bytes: each part's newest CRL (the revision it
 * covers, when it was made) and the newest change per shard past a revision. Reads on the caller's transaction.
 */
@Singleton
public class CrlPartStates {
    private static final String NEWEST =
            "SELECT p.part, p.covers_revision, p.this_update, p.next_update, p.base_number, p.named_url FROM crl_parts p "
                    + "WHERE p.ca_id = ? AND p.crl_number = "
                    + "(SELECT MAX(q.crl_number) FROM crl_parts q WHERE q.ca_id = p.ca_id AND q.part = p.part)";
    private static final String CHANGED = "SELECT crl_shard, MAX(crl_revision) FROM certificates "
            + "WHERE issuer_id = ? AND crl_revision > ? AND crl_shard IS NOT NULL GROUP BY crl_shard";

    /** A part's newest CRL: the revision it covers, its validity, a delta's base, and the URLs a shard names. */
    public record Newest(
            long coversRevision, Instant thisUpdate, Instant nextUpdate, Long baseNumber, String namedUrl) {
        /** The URLs a shard's issuing distribution point names (every one its certificates may name). */
        public List<String> namedUrls() {
            return namedUrl == null || namedUrl.isEmpty() ? List.of() : List.of(namedUrl.split("\n", -1));
        }
    }

    /** The newest full CRL, without its bytes: a delta's base. */
    public record Base(long number, Long coversRevision, Instant thisUpdate, Instant nextUpdate) {}

    private static final String NEWEST_FULL = "SELECT crl_number, covers_revision, this_update, next_update FROM crls "
            + "WHERE ca_id = ? ORDER BY crl_number DESC LIMIT 1";

    private final DataSource dataSource;

    public CrlPartStates(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Each part's newest CRL of this CA, by part. */
    public Map<Integer, Newest> newest(String caId) {
        Map<Integer, Newest> out = new HashMap<>();
        query(NEWEST, caId, null, rs -> {
            long base = rs.getLong(5);
            out.put(
                    rs.getInt(1),
                    new Newest(
                            rs.getLong(2),
                            rs.getTimestamp(3).toInstant(),
                            rs.getTimestamp(4).toInstant(),
                            rs.wasNull() ? null : base,
                            rs.getString(6)));
        });
        return out;
    }

    /** The newest full CRL of this CA, read without its bytes (49 MB at a million entries). */
    public Optional<Base> newestFull(String caId) {
        List<Base> out = new ArrayList<>();
        query(NEWEST_FULL, caId, null, rs -> {
            long covers = rs.getLong(2);
            out.add(new Base(
                    rs.getLong(1),
                    rs.wasNull() ? null : covers,
                    rs.getTimestamp(3).toInstant(),
                    rs.getTimestamp(4).toInstant()));
        });
        return out.stream().findFirst();
    }

    /** The newest change's revision in each shard that changed past {@code revision}. */
    public Map<Integer, Long> changedSince(String caId, long revision) {
        Map<Integer, Long> out = new HashMap<>();
        query(CHANGED, caId, revision, rs -> out.put(rs.getInt(1), rs.getLong(2)));
        return out;
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, String caId, Long revision, RowReader reader) {
        try {
            Connection c = dataSource.getConnection(); // the transaction's; closed by it
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, caId);
                if (revision != null) {
                    s.setLong(2, revision);
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        reader.read(rs);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the CRL parts' state: " + e.getMessage(), e);
        }
    }
}
