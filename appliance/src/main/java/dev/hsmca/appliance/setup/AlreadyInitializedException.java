package dev.hsmca.appliance.setup;

/** Thrown when a CA exists and {@code --force} was not given. */
public class AlreadyInitializedException extends RuntimeException {
    AlreadyInitializedException(String message) {
        super(message);
    }
}
