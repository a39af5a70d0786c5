package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface PresignedResponseRepository extends CrudRepository<PresignedResponse, PresignedResponse.Key> {

    @Query("DELETE FROM ocsp_responses WHERE serial = :serial")
    void deleteForSerial(String serial);

    /**
     * Certificates of this issuer whose responses pass half their life before {@code refreshBefore}, or that have
     * none. (Certificates of a replaced hierarchy are not pre-signed, so they must not be selected again and again.)
     */
    @Query("""
            SELECT c.serial FROM certificates c
            WHERE c.issuer_id = :issuerId AND c.not_after > :now
              AND NOT EXISTS (SELECT 1 FROM ocsp_responses r WHERE r.serial = c.serial AND r.next_update > :refreshBefore)
            ORDER BY c.serial LIMIT :limit""")
    List<String> stale(String issuerId, Instant now, Instant refreshBefore, int limit);
}
