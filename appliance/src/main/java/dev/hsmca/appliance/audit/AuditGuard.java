package dev.hsmca.appliance.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stops issuance once the store is found to have gone back under the running appliance (a failover to a lagging
 * standby, a restore under it): what it would issue now could reuse serials or contradict what clients were told.
 * Every issuance path calls {@link #requireIntact()} before it signs. Latched: it stays stopped until a restart,
 * whose start check then decides (refuse, or {@code on-rollback=warn} to accept the store as it is).
 * {@code pki_audit_rollback} is 1 while stopped (alert {@code PkiAuditRollback}).
 */
@Singleton
public class AuditGuard {
    private final AtomicReference<String> rollback = new AtomicReference<>();

    public AuditGuard(MeterRegistry registry) {
        Gauge.builder("pki.audit.rollback", rollback, r -> r.get() == null ? 0 : 1)
                .description("1 when this appliance found its store rolled back under it and stopped issuing, else 0")
                .register(registry);
    }

    /** Throws {@link AuditRollbackException} (503 {@code audit_rollback}) once a rollback was found. */
    public void requireIntact() {
        if (rollback.get() != null) {
            throw new AuditRollbackException();
        }
    }

    /** Records the rollback found (the first one's description is kept); true when this call stopped issuance. */
    boolean stop(String problem) {
        return rollback.compareAndSet(null, problem);
    }

    public Optional<String> rollback() {
        return Optional.ofNullable(rollback.get());
    }
}
