package dev.hsmca.appliance.domain;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A parsed profile: key usage bits and EKUs as BouncyCastle values. */
public record Profile(String name, int keyUsageBits, List<KeyPurposeId> extendedKeyUsages, int maxValidityDays,
                      Duration minValidity, boolean requireSan, boolean requestable) {

    private static final Map<String, Integer> USAGES = Map.of(
            "digitalsignature", KeyUsage.digitalSignature,
            "keyencipherment", KeyUsage.keyEncipherment,
            "keyagreement", KeyUsage.keyAgreement);
    private static final Map<String, KeyPurposeId> PURPOSES = Map.of(
            "serverauth", KeyPurposeId.id_kp_serverAuth,
            "clientauth", KeyPurposeId.id_kp_clientAuth);

    public static Profile of(ProfileConfig c) {
        int bits = 0;
        for (String u : c.keyUsage() == null ? List.<String>of() : c.keyUsage()) {
            Integer bit = USAGES.get(u.toLowerCase(Locale.ROOT));
            if (bit == null) {
                throw new IllegalArgumentException("profile " + c.name() + ": unknown key usage '" + u + "'");
            }
            bits |= bit;
        }
        List<KeyPurposeId> ekus = (c.extendedKeyUsage() == null ? List.<String>of() : c.extendedKeyUsage()).stream()
                .map(e -> {
                    KeyPurposeId id = PURPOSES.get(e.toLowerCase(Locale.ROOT));
                    if (id == null) {
                        throw new IllegalArgumentException("profile " + c.name() + ": unknown extended key usage '" + e + "'");
                    }
                    return id;
                }).toList();
        if (bits == 0 || ekus.isEmpty() || c.maxValidityDays() < 1) {
            throw new IllegalArgumentException("profile " + c.name() + " needs key-usage, extended-key-usage and max-validity-days >= 1");
        }
        Duration min = c.minValidity() == null ? Duration.ofMinutes(5) : c.minValidity();
        if (min.isNegative() || min.isZero() || min.compareTo(Duration.ofDays(c.maxValidityDays())) > 0) {
            throw new IllegalArgumentException("profile " + c.name() + ": min-validity must be positive and at most max-validity-days");
        }
        return new Profile(c.name(), bits, ekus, c.maxValidityDays(), min, c.requireSan(), c.requestable());
    }

    public Duration maxValidity() {
        return Duration.ofDays(maxValidityDays);
    }

    /** keyEncipherment makes no sense for EC or EdDSA keys (RFC 8813): it is kept for RSA keys only. */
    public int keyUsageFor(boolean rsaKey) {
        return rsaKey ? keyUsageBits : keyUsageBits & ~KeyUsage.keyEncipherment;
    }
}
