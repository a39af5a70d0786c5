package dev.hsmca.appliance.certificates;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface CertificateRepository extends CrudRepository<CertificateRecord, String> {

    /**
     * One page ordered by (not_after, serial), after the cursor position. {@code status} is one of
     * any, valid, revoked, expired; expired and valid are judged against {@code now}.
     */
    @Query("""
            SELECT * FROM certificates
            WHERE (:status = 'any'
                   OR (:status = 'revoked' AND status = 'revoked')
                   OR (:status = 'valid' AND status = 'valid' AND not_after > :now)
                   OR (:status = 'expired' AND status = 'valid' AND not_after <= :now))
              AND not_after >= :minNotAfter AND not_after <= :maxNotAfter
              AND (not_after > :afterNotAfter OR (not_after = :afterNotAfter AND serial > :afterSerial))
            ORDER BY not_after, serial
            LIMIT :limit""")
    List<CertificateRecord> page(String status, Instant now, Instant minNotAfter, Instant maxNotAfter,
                                 Instant afterNotAfter, String afterSerial, int limit);
}
