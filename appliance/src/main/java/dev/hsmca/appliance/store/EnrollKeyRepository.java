package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface EnrollKeyRepository extends CrudRepository<EnrollKey, String> {

    /**
     * One use, counted only if the key is still usable: unrevoked, unexpired, below its total and below its hour's
     * window (which starts again at {@code now} once {@code windowEnd} — an hour after its start — has passed). One
     * conditional UPDATE, so however many requests race, at most the limits' worth change a row; each SET expression
     * reads the row as it was before the update (SQL semantics, on H2 and PostgreSQL alike).
     *
     * @param hourAgo {@code now} minus {@link EnrollKey#WINDOW}: a window that started at or before it is over
     */
    @Query("""
            UPDATE enroll_keys SET
                uses = uses + 1,
                window_uses = CASE WHEN window_start <= :hourAgo THEN 1 ELSE window_uses + 1 END,
                window_start = CASE WHEN window_start <= :hourAgo THEN :now ELSE window_start END,
                last_used_at = :now
            WHERE id = :id AND revoked_at IS NULL AND expires_at > :now
              AND (max_uses IS NULL OR uses < max_uses)
              AND (per_hour IS NULL OR window_start <= :hourAgo OR window_uses < per_hour)""")
    int use(String id, Instant now, Instant hourAgo);

    @Query("UPDATE enroll_keys SET last_serial = :serial WHERE id = :id")
    void recordSerial(String id, String serial);

    @Query("UPDATE enroll_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
    int revoke(String id, Instant now);

    /** Newest first; {@code state} is a {@link EnrollKey.State} in lower case, or empty for all. */
    @Query("""
            SELECT * FROM enroll_keys
            WHERE (:service = '' OR service = :service)
              AND (:state = ''
                   OR (:state = 'revoked' AND revoked_at IS NOT NULL)
                   OR (:state = 'expired' AND revoked_at IS NULL AND expires_at <= :now)
                   OR (:state = 'exhausted' AND revoked_at IS NULL AND expires_at > :now
                       AND max_uses IS NOT NULL AND uses >= max_uses)
                   OR (:state = 'active' AND revoked_at IS NULL AND expires_at > :now
                       AND (max_uses IS NULL OR uses < max_uses)))
            ORDER BY created_at DESC LIMIT :limit""")
    List<EnrollKey> list(String service, String state, Instant now, int limit);
}
