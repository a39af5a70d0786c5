package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** The workload (issuer and subject) a service made by a workload issuer's templates belongs to. */
@MappedEntity("workload_services")
public record WorkloadService(@Id String service, String issuer, String subject, Instant createdAt) {}
