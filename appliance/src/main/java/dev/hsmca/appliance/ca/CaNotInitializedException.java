package dev.hsmca.appliance.ca;

import dev.hsmca.appliance.domain.PkiException;

/** The token or the store has no CA yet: nothing can be signed until {@code ca init} has run. */
public class CaNotInitializedException extends PkiException {
    public CaNotInitializedException(String message) {
        super(Kind.UNAVAILABLE, "ca_not_initialized", message);
    }
}
