package dev.hsmca.hsm;

/** A failure talking to the HSM. Its message never contains a PIN or key material. */
public class HsmException extends RuntimeException {
    public HsmException(String message) {
        super(message);
    }

    public HsmException(String message, Throwable cause) {
        super(message, cause);
    }
}
