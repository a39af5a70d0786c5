package dev.hsmca.appliance.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * A parsed profile: key usage bits and EKUs as BouncyCastle values, and the fixed subject attributes (besides the CN)
 * its certificates carry.
 */
public record Profile(
        String name,
        int keyUsageBits,
        List<KeyPurposeId> extendedKeyUsages,
        int maxValidityDays,
        Duration minValidity,
        boolean requireSan,
        boolean requestable,
        List<SubjectAttribute> subject,
        Duration defaultValidity,
        boolean revocationPointers) {

    /** One subject attribute of a profile's template, such as O=KubeAtlas. */
    public record SubjectAttribute(ASN1ObjectIdentifier type, String value) {}

    /** The longest a certificate without CRL or OCSP pointers may live (CA/B ballot SC-063's short-lived bound). */
    public static final int SHORT_LIVED_MAX_DAYS = 7;

    private static final List<ASN1ObjectIdentifier> TEMPLATE_TYPES =
            List.of(BCStyle.C, BCStyle.ST, BCStyle.L, BCStyle.O, BCStyle.OU);

    public Profile {
        subject = List.copyOf(subject);
    }

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
        List<KeyPurposeId> ekus = (c.extendedKeyUsage() == null ? List.<String>of() : c.extendedKeyUsage())
                .stream()
                        .map(e -> {
                            KeyPurposeId id = PURPOSES.get(e.toLowerCase(Locale.ROOT));
                            if (id == null) {
                                throw new IllegalArgumentException(
                                        "profile " + c.name() + ": unknown extended key usage '" + e + "'");
                            }
                            return id;
                        })
                        .toList();
        if (bits == 0 || ekus.isEmpty() || c.maxValidityDays() < 1) {
            throw new IllegalArgumentException(
                    "profile " + c.name() + " needs key-usage, extended-key-usage and max-validity-days >= 1");
        }
        Duration min = c.minValidity() == null ? Duration.ofMinutes(5) : c.minValidity();
        if (min.isNegative() || min.isZero() || min.compareTo(Duration.ofDays(c.maxValidityDays())) > 0) {
            throw new IllegalArgumentException(
                    "profile " + c.name() + ": min-validity must be positive and at most max-validity-days");
        }
        if (!c.revocationPointers() && c.maxValidityDays() > SHORT_LIVED_MAX_DAYS) {
            throw new IllegalArgumentException("profile " + c.name() + ": without revocation pointers a certificate "
                    + "may live at most " + SHORT_LIVED_MAX_DAYS + " days (max-validity-days)");
        }
        Duration standard = c.defaultValidity();
        if (standard != null
                && (standard.compareTo(min) < 0 || standard.compareTo(Duration.ofDays(c.maxValidityDays())) > 0)) {
            throw new IllegalArgumentException(
                    "profile " + c.name() + ": default-validity must be between min-validity and max-validity-days");
        }
        return new Profile(
                c.name(),
                bits,
                ekus,
                c.maxValidityDays(),
                min,
                c.requireSan(),
                c.requestable(),
                subjectTemplate(c.name(), c.subject()),
                standard,
                c.revocationPointers());
    }

    /** {@code C=US,O=KubeAtlas} as attributes, in that order; only C, ST, L, O and OU (the CN is the grant's). */
    static List<SubjectAttribute> subjectTemplate(String profile, String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        RDN[] rdns;
        try {
            rdns = new X500Name(BCStyle.INSTANCE, text).getRDNs();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "profile " + profile + ": subject '" + text + "' is not a DN such as C=US,O=Example");
        }
        List<SubjectAttribute> attributes = new ArrayList<>();
        for (RDN rdn : rdns) {
            ASN1ObjectIdentifier type = rdn.getFirst().getType();
            String value = IETFUtils.valueToString(rdn.getFirst().getValue());
            if (rdn.isMultiValued()
                    || !TEMPLATE_TYPES.contains(type)
                    || value.isBlank()
                    || value.length() > 64
                    || !value.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
                throw new IllegalArgumentException("profile " + profile + ": subject may hold C, ST, L, O and OU "
                        + "(printable, up to 64 characters each), not '" + text + "'");
            }
            attributes.add(new SubjectAttribute(type, value));
        }
        return attributes;
    }

    public Duration maxValidity() {
        return Duration.ofDays(maxValidityDays);
    }

    /** keyEncipherment makes no sense for EC or EdDSA keys (RFC 8813): it is kept for RSA keys only. */
    public int keyUsageFor(boolean rsaKey) {
        return rsaKey ? keyUsageBits : keyUsageBits & ~KeyUsage.keyEncipherment;
    }
}
