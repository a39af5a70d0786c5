package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface CrlStateRepository extends GenericRepository<CrlState, String> {

    Optional<CrlState> findById(String role);

    /** In the transaction of a status change: a CRL is now owed. Locks the row until that transaction ends. */
    @Query("UPDATE crl_state SET revision = revision + 1 WHERE role = :role")
    int changed(String role);

    /**
     * In the same transaction, after {@link #changed}: the certificate's change carries the revision it made, so a
     * shard or delta covering that revision shows it.
     */
    @Query("UPDATE certificates SET crl_revision = (SELECT revision FROM crl_state WHERE role = 'issuing') "
            + "WHERE serial = :serial")
    int markChanged(String serial);

    /** Takes the next CRL number (the row lock serializes replicas). */
    @Query("UPDATE crl_state SET last_number = last_number + 1 WHERE role = :role")
    int takeNumber(String role);

    @Query("UPDATE crl_state SET published_revision = GREATEST(published_revision, :revision) WHERE role = :role")
    int published(String role, long revision);
}
