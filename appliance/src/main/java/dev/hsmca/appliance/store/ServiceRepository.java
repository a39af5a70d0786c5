package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface ServiceRepository extends CrudRepository<ServiceRecord, String> {

    @Query("SELECT * FROM services ORDER BY service LIMIT :limit")
    List<ServiceRecord> list(int limit);

    /**
     * Services with a valid certificate that were neither seen ({@code last_seen_at}) nor issued or renewed a
     * certificate since {@code since}: one pass over the services, two index probes each.
     */
    @Query("""
            SELECT s.* FROM services s
            WHERE (s.last_seen_at IS NULL OR s.last_seen_at < :since)
              AND EXISTS (SELECT 1 FROM certificates c
                          WHERE c.service = s.service AND c.status = 'valid' AND c.not_after > :now)
              AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.service = s.service AND c.created_at > :since)
            ORDER BY s.service LIMIT :limit""")
    List<ServiceRecord> quiet(Instant since, Instant now, int limit);

    /** Moves last_seen_at forward (never back); 0 when the service has no row yet. */
    @Query(
            "UPDATE services SET last_seen_at = :at WHERE service = :service AND (last_seen_at IS NULL OR last_seen_at < :at)")
    int seen(String service, Instant at);
}
