package dev.hsmca.ocsp.store;

import java.util.Optional;

/** Finds the pre-signed response for one certificate, CertID hash and issuer. */
@FunctionalInterface
public interface PresignedLookup {
    Optional<PresignedRow> find(String serial, String hash, String issuerId);

    /**
     * Whether the rows found are held in memory now (the same response array each time), not read afresh from the
     * store: only then is it worth keeping what is derived from a response (its HTTP caching headers).
     */
    default boolean heldInMemory() {
        return false;
    }

    /**
     * This lookup without its store reads: a row held in memory, else none. What a thread that must not block (an
     * event loop) may call; a request it finds nothing for is answered on a lane that may read the store.
     */
    default PresignedLookup inMemory() {
        return (serial, hash, issuerId) -> Optional.empty();
    }
}
