package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface JobLockRepository extends GenericRepository<JobLockRecord, String> {

    JobLockRecord save(JobLockRecord record);

    Optional<JobLockRecord> findById(String name);

    /** Takes the lease when it is free or expired (or already ours): one conditional UPDATE, so one winner. */
    @Query("""
            UPDATE job_locks SET holder = :holder, locked_at = :now, locked_until = :until
            WHERE name = :name AND (locked_until <= :now OR holder = :holder)""")
    int acquire(String name, String holder, Instant now, Instant until);

    @Query("UPDATE job_locks SET locked_until = :now WHERE name = :name AND holder = :holder")
    int release(String name, String holder, Instant now);
}
