package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface WorkloadServiceRepository extends GenericRepository<WorkloadService, String> {

    /** Claims a service for a workload: 1 when it was free, 0 when it has an owner (perhaps this one). */
    @Query("""
            INSERT INTO workload_services (service, issuer, subject, created_at)
            VALUES (:service, :issuer, :subject, :now)
            ON CONFLICT DO NOTHING""")
    int claim(String service, String issuer, String subject, Instant now);

    Optional<WorkloadService> findById(String service);
}
