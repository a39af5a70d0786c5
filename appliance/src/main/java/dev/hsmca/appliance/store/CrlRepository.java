package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface CrlRepository extends GenericRepository<CrlRecord, CrlRecord.Key> {

    CrlRecord save(CrlRecord record);

    @Query("SELECT * FROM crls WHERE ca_id = :caId ORDER BY crl_number DESC LIMIT 1")
    Optional<CrlRecord> latest(String caId);

    @Query("SELECT MAX(this_update) FROM crls WHERE ca_id = :caId")
    Optional<Instant> lastIssued(String caId);

    @Query("DELETE FROM crls WHERE ca_id = :caId AND crl_number < :keepFrom")
    void prune(String caId, long keepFrom);
}
