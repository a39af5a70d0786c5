package dev.hsmca.core;

import java.util.Locale;

/**
 * A certificate's status as the store keeps it ({@code certificates.status}); expiry is not a status, it is derived
 * from notAfter.
 */
public enum CertificateStatus {
    VALID,
    REVOKED;

    /** The value in the store and the API. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CertificateStatus stored(String text) {
        return REVOKED.text().equals(text) ? REVOKED : VALID;
    }
}
