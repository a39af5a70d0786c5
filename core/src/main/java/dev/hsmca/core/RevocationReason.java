package dev.hsmca.core;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * RFC 5280 §5.3.1 reason codes this CA accepts, as both servers read and write them (the text in the store, the
 * code in CRLs and OCSP). {@code removeFromCRL} only lifts a hold.
 */
public enum RevocationReason {
    UNSPECIFIED("unspecified", 0),
    KEY_COMPROMISE("keyCompromise", 1),
    AFFILIATION_CHANGED("affiliationChanged", 3),
    SUPERSEDED("superseded", 4),
    CESSATION_OF_OPERATION("cessationOfOperation", 5),
    CERTIFICATE_HOLD("certificateHold", 6),
    REMOVE_FROM_CRL("removeFromCRL", 8);

    private final String text;
    private final int code;

    RevocationReason(String text, int code) {
        this.text = text;
        this.code = code;
    }

    public String text() {
        return text;
    }

    public int code() {
        return code;
    }

    /** The reason named by its RFC 5280 text ({@code keyCompromise}); none or blank is {@code unspecified}. */
    public static Optional<RevocationReason> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(UNSPECIFIED);
        }
        return Arrays.stream(values()).filter(r -> r.text.equals(value)).findFirst();
    }

    /** A reason read from the store, where only valid texts are ever written. */
    public static RevocationReason stored(String value) {
        return parse(value).orElse(UNSPECIFIED);
    }

    public static List<String> texts() {
        return Arrays.stream(values()).map(RevocationReason::text).toList();
    }
}
