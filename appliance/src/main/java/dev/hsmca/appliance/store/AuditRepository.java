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

    /** Newest first, before {@code beforeSeq}; empty filters match any. */
    @Query("""
            SELECT * FROM audit_log
            WHERE seq < :beforeSeq AND (:action = '' OR action = :action) AND (:actor = '' OR actor = :actor)
            ORDER BY seq DESC LIMIT :limit""")
    List<AuditEntry> tail(String action, String actor, long beforeSeq, int limit);

    @Query("SELECT * FROM audit_log WHERE at > :since AND outcome = 'denied' ORDER BY seq DESC LIMIT :limit")
    List<AuditEntry> denied(Instant since, int limit);

    @Query("SELECT * FROM audit_log WHERE subject = :subject ORDER BY seq DESC LIMIT :limit")
    List<AuditEntry> about(String subject, int limit);

    /** The chain's head as committed (no lock: the sealer alone moves it). */
    @Query(value = "SELECT seq, hash FROM audit_head WHERE id = 1", nativeQuery = true)
    AuditHead head();
}
