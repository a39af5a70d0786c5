package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Aggregates for the Prometheus gauges. */
@JdbcRepository(dialect = Dialect.POSTGRES)
public interface MetricsRepository extends GenericRepository<CertificateRecord, String> {

    /** Each service's current certificate: its valid one that expires last. */
    @Query("""
            SELECT c.* FROM certificates c
            WHERE c.service IS NOT NULL AND c.status = 'valid' AND c.not_after > :now
              AND c.not_after = (SELECT MAX(c2.not_after) FROM certificates c2
                                 WHERE c2.service = c.service AND c2.status = 'valid' AND c2.not_after > :now)""")
    List<CertificateRecord> currentPerService(Instant now);

    @Query("SELECT COUNT(*) FROM certificates WHERE status = 'valid' AND not_after > :now AND not_after <= :until")
    long validUntil(Instant now, Instant until);

    @Query("SELECT COUNT(*) FROM certificates WHERE status = 'revoked'")
    long revoked();

    @Query("SELECT COUNT(*) FROM certificates WHERE status = 'valid' AND not_after <= :now")
    long expired(Instant now);

    @Query(
            "SELECT MIN(r.this_update) FROM ocsp_responses r JOIN certificates c ON c.serial = r.serial WHERE c.not_after > :now")
    Optional<Instant> oldestPresigned(Instant now);

    /** Services whose certificate holders poll their renewal window, with when they last did. */
    @Query("SELECT * FROM services WHERE last_seen_at IS NOT NULL ORDER BY service LIMIT 1000")
    List<ServiceRecord> lastSeen();

    @Query("SELECT MAX(next_update) FROM crls WHERE ca_id = :caId")
    Optional<Instant> crlNextUpdate(String caId);

    @Query("SELECT entries FROM crls WHERE ca_id = :caId ORDER BY crl_number DESC LIMIT 1")
    Optional<Long> crlEntries(String caId);
}
