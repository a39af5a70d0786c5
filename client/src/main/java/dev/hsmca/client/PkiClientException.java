package dev.hsmca.client;

/** A failure with a one-line reason a person can act on, and a kind a program can branch on. */
public class PkiClientException extends RuntimeException {

    public enum Kind {
        /** The CA did not answer (down, wrong URL, network). Retrying later can help. */
        UNREACHABLE,
        /** The CA's TLS certificate does not chain to the root we were given. */
        TLS_TRUST,
        /** The CA refused the request (its error code says why: token_used, name_not_allowed, ...). */
        REFUSED,
        /** The CA answered 503: its HSM or database is down. Retrying later helps. */
        UNAVAILABLE,
        /** The certificate was revoked: it cannot renew itself; enroll again with a new token. */
        REVOKED,
        /** The certificate expired: it cannot renew itself; enroll again with a new token. */
        EXPIRED,
        /** The local store (files) could not be read or written. */
        STORE,
        /** Bad input from the caller (missing token, bad name, unreadable root). */
        INVALID
    }

    private final Kind kind;
    private final String code;

    public PkiClientException(Kind kind, String code, String message) {
        this(kind, code, message, null);
    }

    public PkiClientException(Kind kind, String code, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    /** The CA's error code for {@link Kind#REFUSED}, else a short name of the kind. */
    public String code() {
        return code;
    }

    /** Whether trying again later can succeed without anyone doing anything. */
    public boolean retryable() {
        return kind == Kind.UNREACHABLE || kind == Kind.UNAVAILABLE;
    }
}
