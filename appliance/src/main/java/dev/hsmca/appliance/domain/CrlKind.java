package dev.hsmca.appliance.domain;

import java.util.Locale;

/** What a published CRL covers: every certificate of its CA, one partition of them, or the changes since a base. */
public enum CrlKind {
    /** The complete CRL ({@code /crl/<ca>.crl}), the base that deltas refer to. */
    FULL,
    /** One partition by serial, named in the CRL distribution point of the certificates it covers. */
    SHARD,
    /** The changes since the full CRL it names as its base (RFC 5280 section 5.2.4). */
    DELTA;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
