package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A lease on a job: held by {@code holder} until {@code lockedUntil}, or released earlier. */
@MappedEntity("job_locks")
public record JobLockRecord(@Id String name, String holder, Instant lockedAt, Instant lockedUntil) {}
