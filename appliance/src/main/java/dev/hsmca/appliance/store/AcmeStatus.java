package dev.hsmca.appliance.store;

import java.util.Locale;

/**
 * An ACME object's status (RFC 8555 §7.1.6) as the store and the wire write it: the constant's name in lower case
 * ({@code valid}, {@code processing}). Each kind of object has its own enum, so an order cannot be set to a status
 * only authorizations have.
 */
public interface AcmeStatus {
    String name();

    /** The value in the store and in the ACME JSON. */
    default String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
