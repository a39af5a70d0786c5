package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.store.AuditChainStore;
import io.micronaut.data.exceptions.DataAccessException;
import jakarta.inject.Singleton;

/**
 * Chains committed pending entries into the audit log, as a transparency log's single sequencer does: requests
 * append without a lock and commit in parallel; only the sealer takes the head-row lock, once per batch. Sealers of
 * several replicas (and {@code audit verify}) queue on that lock, so the chain keeps one order. An entry is sealed
 * in the order of its database id; one that commits late is sealed by the next run, never lost or reordered within
 * the chain. The statements, in one transaction of their own, are the store's ({@link AuditChainStore}).
 */
@Singleton
public class AuditSealer {
    static final int BATCH = 500;

    private final AuditChainStore store;

    public AuditSealer(AuditChainStore store) {
        this.store = store;
    }

    /** Seals everything pending now, in its own transaction; how many entries. */
    public int seal() {
        try {
            return store.seal(
                    BATCH,
                    (prev, seq, p) -> AuditHashes.hash(
                            prev, seq, p.at(), p.actor(), p.action(), p.subject(), p.outcome(), p.details()));
        } catch (DataAccessException e) {
            throw PkiException.unavailable(Failures.STORE_UNAVAILABLE, "cannot seal the audit log: " + e.getMessage());
        }
    }
}
