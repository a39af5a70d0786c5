package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AuditRepository extends GenericRepository<AuditEntry, Long> {

    Optional<AuditEntry> findById(Long seq);

    @Query("SELECT * FROM audit_log WHERE seq > :afterSeq ORDER BY seq LIMIT :limit")
    List<AuditEntry> chunk(long afterSeq, int limit);

    @Query("""
            SELECT * FROM audit_log
            WHERE at >= :since AND (:action = '' OR action = :action) AND seq > :afterSeq
            ORDER BY seq LIMIT :limit""")
    List<AuditEntry> search(Instant since, String action, long afterSeq, int limit);

    /** The chain's head as committed (no lock: the sealer alone moves it). */
    @Query(value = "SELECT seq, hash FROM audit_head WHERE id = 1", nativeQuery = true)
    AuditHead head();
}
