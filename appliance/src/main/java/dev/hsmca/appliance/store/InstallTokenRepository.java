package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface InstallTokenRepository extends CrudRepository<InstallToken, String> {

    /** The single-use step: exactly one caller can move a token from unused to used. */
    @Query("""
            UPDATE install_tokens SET used_at = :now
            WHERE id = :id AND used_at IS NULL AND revoked_at IS NULL AND expires_at > :now""")
    int consume(String id, Instant now);

    @Query("UPDATE install_tokens SET used_serial = :serial WHERE id = :id")
    void recordSerial(String id, String serial);

    @Query("UPDATE install_tokens SET revoked_at = :now WHERE id = :id AND used_at IS NULL AND revoked_at IS NULL")
    int revoke(String id, Instant now);

    /** Newest first; {@code state} is a {@link TokenState} in lower case, or empty for all (filtered here, before the limit). */
    @Query("""
            SELECT * FROM install_tokens
            WHERE (:service = '' OR service = :service)
              AND (:state = ''
                   OR (:state = 'revoked' AND revoked_at IS NOT NULL)
                   OR (:state = 'used' AND revoked_at IS NULL AND used_at IS NOT NULL)
                   OR (:state = 'expired' AND revoked_at IS NULL AND used_at IS NULL AND expires_at <= :now)
                   OR (:state = 'unused' AND revoked_at IS NULL AND used_at IS NULL AND expires_at > :now))
            ORDER BY created_at DESC LIMIT :limit""")
    List<InstallToken> list(String service, String state, Instant now, int limit);
}
