package dev.hsmca.ocsp.store;

import java.util.Optional;

/** Finds the pre-signed response for one certificate, CertID hash and issuer. */
@FunctionalInterface
public interface PresignedLookup {
    Optional<PresignedRow> find(String serial, String hash, String issuerId);
}
