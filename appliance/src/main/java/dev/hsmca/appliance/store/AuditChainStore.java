package dev.hsmca.appliance.store;

import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The audit sealer's statements: moves committed pending entries into the chained log under the head-row lock.
 * <p>
 * Plain JDBC on one connection of the raw pool, committed here: the head lock, the inserts, the deletes and the head
 * move are one transaction by construction, whatever the caller's transaction or a context shutting down does
 * (bound repository calls split across connections once, in a test, when a seal outlived its context).
 */
@Singleton
public class AuditChainStore {

    /** A committed pending entry, with its database id (the sealing order). */
    public record Pending(
            long id, Instant at, String actor, String action, String subject, String outcome, String details) {}

    /** The hash an entry gets at {@code seq} after {@code prevHash}: the caller's, the store only keeps it. */
    @FunctionalInterface
    public interface Chain {
        String hash(String prevHash, long seq, Pending entry);
    }

    private final DataSource dataSource;

    public AuditChainStore(DataSource dataSource) {
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
    }

    /**
     * Seals everything pending now, {@code batch} entries per round trip, in a transaction of its own; how many
     * entries. A store failure is a {@link DataAccessException}; nothing of the seal is kept then.
     */
    public int seal(int batch, Chain chain) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int sealed = sealIn(c, batch, chain);
                c.commit();
                return sealed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
    }

    private static int sealIn(Connection c, int batchSize, Chain chain) throws SQLException {
        // nothing pending (an idle appliance, every 200 ms on every replica): no head lock taken, no row written
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM audit_pending LIMIT 1");
                ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return 0;
            }
        }
        long seq;
        String prev;
        try (PreparedStatement s = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
                ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("audit_head has no row");
            }
            seq = rs.getLong(1);
            prev = rs.getString(2);
        }
        int sealed = 0;
        while (true) {
            List<Pending> batch = oldest(c, batchSize);
            if (batch.isEmpty()) {
                break;
            }
            try (PreparedStatement insert =
                            c.prepareStatement("INSERT INTO audit_log (seq, at, actor, action, subject, "
                                    + "outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM audit_pending WHERE id = ?")) {
                for (Pending p : batch) {
                    seq++;
                    String hash = chain.hash(prev, seq, p);
                    insert.setLong(1, seq);
                    insert.setObject(2, OffsetDateTime.ofInstant(p.at(), ZoneOffset.UTC));
                    insert.setString(3, p.actor());
                    insert.setString(4, p.action());
                    insert.setString(5, p.subject());
                    insert.setString(6, p.outcome());
                    insert.setString(7, p.details());
                    insert.setString(8, prev);
                    insert.setString(9, hash);
                    insert.addBatch();
                    // exactly this id: an entry that committed after the read stays for the next seal
                    delete.setLong(1, p.id());
                    delete.addBatch();
                    prev = hash;
                }
                insert.executeBatch();
                delete.executeBatch();
            }
            sealed += batch.size();
            if (batch.size() < batchSize) {
                break;
            }
        }
        if (sealed > 0) {
            try (PreparedStatement s = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
                s.setLong(1, seq);
                s.setString(2, prev);
                s.executeUpdate();
            }
        }
        return sealed;
    }

    private static List<Pending> oldest(Connection c, int batchSize) throws SQLException {
        List<Pending> batch = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, at, actor, action, subject, outcome, details "
                        + "FROM audit_pending ORDER BY id LIMIT " + batchSize);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                batch.add(new Pending(
                        rs.getLong(1),
                        rs.getObject(2, OffsetDateTime.class).toInstant(),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7)));
            }
        }
        return batch;
    }
}
