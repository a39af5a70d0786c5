package dev.hsmca.appliance.store;

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

    /** {@code unexpiredAt}, when given, binds the second parameter. */
    private void stream(String sql, String caId, Instant unexpiredAt, Row row) {
        try {
            // The transaction's connection: closed by the transaction, not here.
            Connection c = dataSource.getConnection();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, caId);
                if (unexpiredAt != null) {
                    s.setTimestamp(2, Timestamp.from(unexpiredAt));
                }
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        row.accept(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read revocations: " + e.getMessage(), e);
        }
    }
}
