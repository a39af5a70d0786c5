package dev.hsmca.appliance.store;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AuditPendingRepository extends GenericRepository<AuditPending, Long> {

    AuditPending save(AuditPending entry);
}
