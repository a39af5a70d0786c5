package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface WorkloadTokenRepository extends GenericRepository<WorkloadTokenUse, String> {

    /** The single-use step: 1 for a token's first use, 0 when it was used before (also by a racing request). */
    @Query("""
            INSERT INTO workload_tokens (id, issuer, jti, subject, expires_at, used_at, serial)
            VALUES (:id, :issuer, :jti, :subject, :expiresAt, :usedAt, :serial)
            ON CONFLICT DO NOTHING""")
    int use(String id, String issuer, String jti, String subject, Instant expiresAt, Instant usedAt, String serial);

    Optional<WorkloadTokenUse> findById(String id);

    /** How many certificates a service has, of any credential (before it is claimed for a workload). */
    @Query("SELECT COUNT(*) FROM certificates WHERE service = :service")
    long certificatesOf(String service);

    long count();

    /** Uses of tokens that can no longer be presented (expired before {@code before}). */
    @Query("DELETE FROM workload_tokens WHERE expires_at < :before")
    int deleteExpired(Instant before);
}
