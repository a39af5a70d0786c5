package dev.hsmca.appliance.store;

import dev.hsmca.core.CertificateStatus;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * What a CRL lists, streamed row by row in serial order (a million rows never sit in memory): the revoked CA
 * certificates under the root, or the revoked, unexpired certificates of the issuing CA. Reads on the caller's
 * transaction, so the CRL writer's passes see one snapshot when that transaction is repeatable read.
 */
@Singleton
public class RevokedEntries {
    private static final String REVOKED_CA_CERTIFICATES = "SELECT serial, revoked_at, revocation_reason FROM "
            + "ca_certificates WHERE parent_id = ? AND revoked_at IS NOT NULL ORDER BY serial";
    private static final String REVOKED_CERTIFICATES = "SELECT serial, revoked_at, revocation_reason FROM "
            + "certificates WHERE issuer_id = ? AND status = 'revoked' AND not_after > ? ORDER BY serial";

    private static final String SHARD = "SELECT serial, revoked_at, revocation_reason, status, crl_revision FROM "
            + "certificates WHERE issuer_id = ? AND crl_shard = ? AND status = 'revoked' AND not_after > ? ORDER BY serial";
    private static final String CHANGED = "SELECT serial, revoked_at, revocation_reason, status, crl_revision FROM "
            + "certificates WHERE issuer_id = ? AND crl_revision > ? AND not_after > ? ORDER BY serial";

    /** A row whose status a CRL shows: revoked (with when and why) or not (a hold lifted), and its last change. */
    @FunctionalInterface
    public interface ChangedRow {
        void accept(String serialHex, Instant revokedAt, String reason, boolean revoked, long crlRevision);
    }

    /** One revoked row: its serial in hex, when, and the reason as stored (null when none was given). */
    @FunctionalInterface
    public interface Row {
        void accept(String serialHex, Instant revokedAt, String reason);
    }

    private final DataSource dataSource;

    public RevokedEntries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The CA certificates below {@code parentId} (the root) that are revoked. */
    public void caCertificates(String parentId, Row row) {
        stream(REVOKED_CA_CERTIFICATES, parentId, null, row);
    }

    /** The certificates of {@code issuerId} that are revoked and not expired at {@code unexpiredAt}. */
    public void certificates(String issuerId, Instant unexpiredAt, Row row) {
        stream(REVOKED_CERTIFICATES, issuerId, unexpiredAt, row);
    }

    /** The revoked, unexpired certificates of one shard of {@code issuerId}. */
    public void shard(String issuerId, int shard, Instant unexpiredAt, ChangedRow row) {
        changed(SHARD, issuerId, shard, unexpiredAt, row);
    }

    /** The unexpired certificates of {@code issuerId} whose status changed after CRL revision {@code revision}. */
    public void changedSince(String issuerId, long revision, Instant unexpiredAt, ChangedRow row) {
        changed(CHANGED, issuerId, revision, unexpiredAt, row);
    }

    private void changed(String sql, String caId, long second, Instant unexpiredAt, ChangedRow row) {
        query(
                sql,
                s -> {
                    s.setString(1, caId);
                    s.setLong(2, second);
                    s.setTimestamp(3, Timestamp.from(unexpiredAt));
                },
                rs -> {
                    Timestamp at = rs.getTimestamp(2);
                    row.accept(
                            rs.getString(1),
                            at == null ? null : at.toInstant(),
                            rs.getString(3),
                            CertificateStatus.stored(rs.getString(4)) == CertificateStatus.REVOKED,
                            rs.getLong(5));
                });
    }

    /** {@code unexpiredAt}, when given, binds the second parameter. */
    private void stream(String sql, String caId, Instant unexpiredAt, Row row) {
        query(
                sql,
                s -> {
                    s.setString(1, caId);
                    if (unexpiredAt != null) {
                        s.setTimestamp(2, Timestamp.from(unexpiredAt));
                    }
                },
                rs -> row.accept(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3)));
    }

    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    private interface Reader {
        void read(ResultSet rs) throws SQLException;
    }

    /** Streams the rows on the caller's transaction's connection (closed by the transaction, not here). */
    private void query(String sql, Binder binder, Reader reader) {
        try {
            Connection c = dataSource.getConnection();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                binder.bind(s);
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        reader.read(rs);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read revocations: " + e.getMessage(), e);
        }
    }
}
