package dev.hsmca.ocsp.store;

import java.util.Optional;

/** Finds a certificate's status row by serial and issuer. */
@FunctionalInterface
public interface StatusLookup {
    Optional<StatusRow> find(String serial, String issuerId);
}
