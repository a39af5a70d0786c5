package dev.hsmca.appliance.domain;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Syntax checks and canonical forms for the names a certificate may carry. */
public final class Names {
    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Pattern NUMERIC = Pattern.compile("^[0-9]+$");
    private static final Pattern IPV4 = Pattern.compile(
            "^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:.]+$");
    /** A client identity in a subject CN (agent-foo, db_admin, system:serviceaccount:ns:sa): no spaces, no controls. */
    private static final Pattern CLIENT = Pattern.compile("^[a-z0-9_]([a-z0-9._:@-]{0,62}[a-z0-9_])?$");

    private static final Pattern URI_CHARS = Pattern.compile("^[\\x21-\\x7e]{1,1024}$");

    private Names() {}

    /**
     * Lower-cased DNS name, or null when it is not a valid host name (a leftmost "*" label is allowed). Labels are
     * letters, digits and hyphens; an A-label ({@code xn--}) must be valid IDNA, and other labels may not have
     * hyphens in the third and fourth places (reserved by RFC 5891).
     */
    public static String dnsName(String raw) {
        if (raw == null) {
            return null;
        }
        String name = raw.toLowerCase(Locale.ROOT);
        if (name.isEmpty() || name.length() > 253 || name.endsWith(".")) {
            return null;
        }
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            boolean wildcard = i == 0 && labels[i].equals("*") && labels.length > 2;
            if (!wildcard && !(LABEL.matcher(labels[i]).matches() && idnaValid(labels[i]))) {
                return null;
            }
        }
        if (NUMERIC.matcher(labels[labels.length - 1]).matches()) {
            return null; // looks like an IP address, not a host name
        }
        return name;
    }

    private static boolean idnaValid(String label) {
        if (label.length() < 4 || label.charAt(2) != '-' || label.charAt(3) != '-') {
            return true;
        }
        if (!label.startsWith("xn--")) {
            return false;
        }
        try {
            String unicode = IDN.toUnicode(label, IDN.USE_STD3_ASCII_RULES);
            return !unicode.equals(label)
                    && IDN.toASCII(unicode, IDN.USE_STD3_ASCII_RULES).equals(label);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A subject CN as a host name in canonical form: lower case, one trailing dot dropped, a Unicode name turned into
     * its A-labels; null when it is not a host name.
     */
    public static String hostNameCn(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        String name = raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
        if (!name.chars().allMatch(c -> c < 0x80)) {
            try {
                name = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return dnsName(name);
    }

    /** A client identity for a subject CN ({@code agent-foo}), lower case; null when it has other characters. */
    public static String clientName(String raw) {
        if (raw == null) {
            return null;
        }
        String name = raw.toLowerCase(Locale.ROOT);
        return CLIENT.matcher(name).matches() ? name : null;
    }

    /** An absolute URI name (a SPIFFE ID: {@code spiffe://domain/path}), as given; null when it is not one. */
    public static String uri(String raw) {
        if (raw == null || !URI_CHARS.matcher(raw).matches() || raw.indexOf(',') >= 0) {
            return null; // names are stored comma-separated
        }
        try {
            URI uri = new URI(raw);
            return uri.isAbsolute()
                            && uri.getRawAuthority() != null
                            && !uri.getRawAuthority().isEmpty()
                    ? raw
                    : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The canonical text of an IP address literal, or null. Never resolves a host name. */
    public static String ipAddress(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        boolean v4 = IPV4.matcher(raw).matches();
        boolean v6 = raw.contains(":") && IPV6_CHARS.matcher(raw).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            if (v6) {
                URI.create("http://[" + raw + "]/"); // the URI parser checks an IPv6 literal without any lookup
                return InetAddress.getByName("[" + raw + "]").getHostAddress(); // bracketed: a literal, never resolved
            }
            return InetAddress.getByName(raw).getHostAddress();
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A name for a message: at most 80 characters, anything but printable ASCII shown as '?' (no forged log lines). */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String clipped = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return clipped.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /**
     * Whether {@code name} is allowed by {@code pattern}: the same name, or a pattern {@code *.domain} and a name one
     * label below domain (or the wildcard itself). The one matching rule for tokens, ACME bindings and renewals.
     */
    public static boolean matches(String pattern, String name) {
        if (pattern.equals(name)) {
            return true;
        }
        if (pattern.startsWith("*.") && name.length() > pattern.length() - 1 && name.endsWith(pattern.substring(1))) {
            String label = name.substring(0, name.length() - pattern.length() + 1);
            return label.equals("*") || !label.contains(".");
        }
        return false;
    }
}
