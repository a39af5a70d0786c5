package dev.hsmca.appliance.store;

import dev.hsmca.core.CaRole;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface CaCertificateRepository extends CrudRepository<CaCertificateRecord, String> {

    Optional<CaCertificateRecord> findByRoleAndActive(CaRole role, boolean active);

    List<CaCertificateRecord> findByActive(boolean active);

    @Query("UPDATE ca_certificates SET active = FALSE, active_role = NULL WHERE active = TRUE")
    void deactivateAll();

    @Query("UPDATE ca_certificates SET active = FALSE, active_role = NULL WHERE id = :id")
    void deactivate(String id);
}
