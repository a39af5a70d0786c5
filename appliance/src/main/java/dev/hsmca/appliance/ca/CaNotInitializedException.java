package dev.hsmca.appliance.ca;

/** The token or the store has no CA yet. */
public class CaNotInitializedException extends RuntimeException {
    public CaNotInitializedException(String message) {
        super(message);
    }
}
