package dev.hsmca.core.ocsp;

import java.time.Instant;

/**
 * The status to state for one CertID: good, revoked (with time and RFC 5280 reason code, -1 for none) or
 * unknown.
 */
public record CertStatusInfo(Kind kind, Instant revokedAt, int reasonCode) {
    public enum Kind {
        GOOD,
        REVOKED,
        UNKNOWN
    }

    public static CertStatusInfo good() {
        return new CertStatusInfo(Kind.GOOD, null, -1);
    }

    public static CertStatusInfo unknown() {
        return new CertStatusInfo(Kind.UNKNOWN, null, -1);
    }

    public static CertStatusInfo revoked(Instant at, int reasonCode) {
        return new CertStatusInfo(Kind.REVOKED, at, reasonCode);
    }
}
