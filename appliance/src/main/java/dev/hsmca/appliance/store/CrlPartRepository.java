package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface CrlPartRepository extends GenericRepository<CrlPartRecord, CrlPartRecord.Key> {

    CrlPartRecord save(CrlPartRecord record);

    @Query("SELECT * FROM crl_parts WHERE ca_id = :caId AND part = :part ORDER BY crl_number DESC LIMIT 1")
    Optional<CrlPartRecord> latest(String caId, int part);

    @Query("DELETE FROM crl_parts WHERE ca_id = :caId AND part = :part AND crl_number < :keepFrom")
    void prune(String caId, int part, long keepFrom);

    /** A shard's next number: its row is made on first use (either replica may), then locked by the increment. */
    @Query("INSERT INTO crl_shard_state (ca_id, shard, last_number) VALUES (:caId, :shard, 0) ON CONFLICT DO NOTHING")
    void ensureShard(String caId, int shard);

    @Query("UPDATE crl_shard_state SET last_number = last_number + 1 WHERE ca_id = :caId AND shard = :shard")
    int takeShardNumber(String caId, int shard);

    @Query("SELECT last_number FROM crl_shard_state WHERE ca_id = :caId AND shard = :shard")
    long shardNumber(String caId, int shard);
}
