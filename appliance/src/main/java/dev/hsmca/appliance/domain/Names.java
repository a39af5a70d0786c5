package dev.hsmca.appliance.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Syntax checks for the names a certificate may carry. */
public final class Names {
    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Pattern NUMERIC = Pattern.compile("^[0-9]+$");
    private static final Pattern IPV4 = Pattern.compile("^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:.]+$");

    private Names() {
    }

    /** Lower-cased DNS name, or null when it is not a valid host name (a leftmost "*" label is allowed). */
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
            if (!wildcard && !LABEL.matcher(labels[i]).matches()) {
                return null;
            }
        }
        if (NUMERIC.matcher(labels[labels.length - 1]).matches()) {
            return null; // looks like an IP address, not a host name
        }
        return name;
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
            return InetAddress.getByName(raw).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
