package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

/**
 * CRL bookkeeping of one CA role: {@code revision} moves with every status change a CRL must show (in that
 * change's transaction), {@code publishedRevision} is what the newest CRL covers, {@code lastNumber} the last CRL
 * number handed out.
 */
@MappedEntity("crl_state")
public record CrlState(@Id String role, long revision, long publishedRevision, long lastNumber) {

    /** A change is committed that no CRL shows yet. */
    public boolean behind() {
        return revision > publishedRevision;
    }
}
