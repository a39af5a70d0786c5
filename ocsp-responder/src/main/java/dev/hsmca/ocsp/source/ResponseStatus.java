package dev.hsmca.ocsp.source;

/**
 * The OCSPResponseStatus of an answer (RFC 6960 section 4.2.1): {@code code} is its value on the wire, {@code tag}
 * its name in {@code pki_ocsp_responses_total{status}} when it is an error.
 */
public enum ResponseStatus {
    SUCCESSFUL(0, "successful"),
    MALFORMED_REQUEST(1, "malformed_request"),
    INTERNAL_ERROR(2, "internal_error"),
    TRY_LATER(3, "try_later"),
    UNAUTHORIZED(6, "unauthorized");

    private final int code;
    private final String tag;

    ResponseStatus(int code, String tag) {
        this.code = code;
        this.tag = tag;
    }

    public int code() {
        return code;
    }

    public String tag() {
        return tag;
    }
}
