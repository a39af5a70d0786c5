package dev.hsmca.appliance.domain;


import java.util.Arrays;

/** RFC 5280 §5.3.1 reason codes this CA accepts. {@code removeFromCRL} only lifts a hold. */
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

    public static RevocationReason parse(String value) {
        if (value == null || value.isBlank()) {
            return UNSPECIFIED;
        }
        return Arrays.stream(values()).filter(r -> r.text.equals(value)).findFirst()
                .orElseThrow(() -> PkiException.malformed("invalid_reason", "unknown revocation reason '" + value
                        + "', expected one of " + Arrays.stream(values()).map(RevocationReason::text).toList()));
    }
}
