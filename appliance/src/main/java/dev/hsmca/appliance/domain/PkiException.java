package dev.hsmca.appliance.domain;

/**
 * A refusal or failure in the domain, with a {@link Kind} and a stable machine-readable code. It knows nothing
 * of HTTP: the web edge maps the kind to a status once (as Boulder's {@code berrors} do).
 */
public class PkiException extends RuntimeException {

    /** What went wrong, from the caller's point of view: decides whether retrying can help. */
    public enum Kind {
        /** The request itself is wrong (bad CSR, bad value). */
        MALFORMED,
        /** No valid credential. */
        UNAUTHORIZED,
        /** A valid credential that may not do this. */
        FORBIDDEN,
        NOT_FOUND,
        /** The request conflicts with the current state. */
        CONFLICT,
        /** A dependency (HSM, store) is down: retry later. */
        UNAVAILABLE,
        /** Too many requests of this kind from this caller: retry later. */
        RATE_LIMITED,
        /** A bug or misconfiguration on our side. */
        INTERNAL
    }

    private final Kind kind;
    private final String code;

    public PkiException(Kind kind, String code, String message) {
        this(kind, code, message, null);
    }

    public PkiException(Kind kind, String code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.code = code;
    }

    public static PkiException malformed(String code, String message) {
        return new PkiException(Kind.MALFORMED, code, message);
    }

    public static PkiException unauthorized(String code, String message) {
        return new PkiException(Kind.UNAUTHORIZED, code, message);
    }

    public static PkiException forbidden(String code, String message) {
        return new PkiException(Kind.FORBIDDEN, code, message);
    }

    public static PkiException notFound(String code, String message) {
        return new PkiException(Kind.NOT_FOUND, code, message);
    }

    public static PkiException conflict(String code, String message) {
        return new PkiException(Kind.CONFLICT, code, message);
    }

    public static PkiException unavailable(String code, String message) {
        return new PkiException(Kind.UNAVAILABLE, code, message);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }
}
