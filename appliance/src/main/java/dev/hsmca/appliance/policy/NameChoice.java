package dev.hsmca.appliance.policy;

import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.Profile;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names a certificate gets: its SANs and its subject CN. The CN is one of the certificate's names in canonical
 * form, a client name the grant allows, or absent; a request's CN that is a host name or IP address is also a SAN.
 */
record NameChoice(String commonName, List<String> dnsNames, List<String> ipAddresses, List<String> uris) {
    static final int MAX_NAMES = 100;
    /** X.520's upper bound for a CN. */
    static final int MAX_CN = 64;
    /** What the store keeps of a certificate's names (comma-separated columns). */
    static final int MAX_DNS_CHARS = 8192;

    static final int MAX_IP_CHARS = 2048;
    static final int MAX_URI_CHARS = 4096;

    static NameChoice of(Entitlement grant, CertificateAsk ask, Profile profile) {
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        Set<String> uris = new LinkedHashSet<>();
        String cn = commonName(grant, ask.commonName(), dns, ips);
        boolean clientCn = cn != null && !dns.contains(cn) && !ips.contains(cn);
        ask.dnsNames().forEach(n -> dns.add(syntax(Names.dnsName(n), n, "DNS name")));
        ask.ipAddresses().forEach(n -> ips.add(syntax(Names.ipAddress(n), n, "IP address")));
        ask.uris().forEach(n -> uris.add(syntax(Names.uri(n), n, "URI")));
        if (dns.size() + ips.size() + uris.size() > MAX_NAMES) {
            throw PkiException.malformed("too_many_names", "at most " + MAX_NAMES + " names are accepted");
        }
        requireAllowed(grant, dns, ips, uris);
        if (ask.identity() == CertificateAsk.Identity.EXACT) {
            requireExact(grant, dns, ips, uris);
        }
        if (ask.identity() == CertificateAsk.Identity.GRANTED) {
            Set<String> keptDns = new LinkedHashSet<>(grant.dnsNames());
            Set<String> keptIps = new LinkedHashSet<>(grant.ipAddresses());
            if (!clientCn && cn != null && !keptDns.contains(cn) && !keptIps.contains(cn)) {
                cn = null; // covered by a granted *.domain, but not itself one of the names kept: the first name is
            }
            if (cn == null && grant.clientNames().size() == 1) {
                cn = grant.clientNames().iterator().next();
                clientCn = true;
            }
            return finish(profile, cn, clientCn, keptDns, keptIps, new LinkedHashSet<>(grant.uris()));
        }
        return finish(profile, cn, clientCn, dns, ips, uris);
    }

    private static NameChoice finish(
            Profile profile, String requestedCn, boolean clientCn, Set<String> dns, Set<String> ips, Set<String> uris) {
        if (String.join(",", dns).length() > MAX_DNS_CHARS
                || String.join(",", ips).length() > MAX_IP_CHARS
                || String.join(",", uris).length() > MAX_URI_CHARS) {
            throw PkiException.malformed(
                    "too_many_names",
                    "the names are longer than a certificate may carry here ("
                            + MAX_DNS_CHARS + " characters of DNS names, " + MAX_IP_CHARS + " of IP addresses, "
                            + MAX_URI_CHARS
                            + " of URIs)");
        }
        if (profile.requireSan() && dns.isEmpty() && ips.isEmpty()) {
            throw PkiException.malformed(
                    "no_names",
                    "profile " + profile.name()
                            + " needs at least one DNS name or IP address in the CSR (subjectAltName or CN)");
        }
        String cn = requestedCn;
        if (!clientCn) {
            cn = cn != null
                    ? cn
                    : !dns.isEmpty()
                            ? dns.iterator().next()
                            : ips.isEmpty() ? null : ips.iterator().next();
            cn = cn != null && cn.length() > MAX_CN ? null : cn; // the SANs carry it
        }
        if (cn == null && dns.isEmpty() && ips.isEmpty() && uris.isEmpty()) {
            throw PkiException.malformed("no_names", "the CSR names nothing: give a subject CN or a subjectAltName");
        }
        return new NameChoice(cn, new ArrayList<>(dns), new ArrayList<>(ips), new ArrayList<>(uris));
    }

    /** The canonical CN, adding a host name or IP address to the SANs; null when the request has none. */
    private static String commonName(Entitlement grant, String raw, Set<String> dns, Set<String> ips) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        if (raw.length() > MAX_CN || !raw.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw PkiException.malformed(
                    "invalid_subject",
                    "subject CN '" + Names.printable(raw) + "' is longer than " + MAX_CN
                            + " characters or has control characters");
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (grant.clientNames().contains(lower)) {
            return lower;
        }
        String host = Names.hostNameCn(lower);
        if (host != null) {
            dns.add(host);
            return host;
        }
        String ip = Names.ipAddress(raw);
        if (ip != null) {
            ips.add(ip);
            return ip;
        }
        String client = Names.clientName(raw);
        if (client == null) {
            throw PkiException.malformed(
                    "invalid_subject",
                    "subject CN '" + Names.printable(raw) + "' is neither a "
                            + "host name, an IP address nor a client name (letters, digits, . _ : @ -); leave it out to use the first SAN");
        }
        if (!grant.anyName()) {
            throw PkiException.forbidden(
                    "name_not_allowed",
                    "subject CN '" + client + "' is not allowed by this "
                            + PolicyAuthority.kind(grant) + " (client names allowed: "
                            + (grant.clientNames().isEmpty()
                                    ? "none"
                                    : String.join(", ", new TreeSet<>(grant.clientNames())))
                            + ")");
        }
        return client;
    }

    private static String syntax(String canonical, String raw, String kind) {
        if (canonical == null || !canonical.equals(raw)) {
            throw PkiException.malformed("invalid_san", "SAN '" + Names.printable(raw) + "' is not a valid " + kind);
        }
        return canonical;
    }

    private static void requireAllowed(Entitlement grant, Set<String> dns, Set<String> ips, Set<String> uris) {
        if (grant.anyName()) {
            return;
        }
        for (String n : dns) {
            if (grant.dnsNames().stream().noneMatch(p -> Names.matches(p, n))) {
                throw notAllowed(grant, "DNS name", n, grant.dnsNames());
            }
        }
        for (String n : ips) {
            if (!grant.ipAddresses().contains(n)) {
                throw notAllowed(grant, "IP address", n, grant.ipAddresses());
            }
        }
        for (String n : uris) {
            if (!grant.uris().contains(n)) {
                throw notAllowed(grant, "URI", n, grant.uris());
            }
        }
    }

    private static void requireExact(Entitlement grant, Set<String> dns, Set<String> ips, Set<String> uris) {
        if (!new TreeSet<>(dns).equals(new TreeSet<>(grant.dnsNames()))
                || !new TreeSet<>(ips).equals(new TreeSet<>(grant.ipAddresses()))
                || !new TreeSet<>(uris).equals(new TreeSet<>(grant.uris()))) {
            throw PkiException.malformed(
                    "names_mismatch",
                    "the CSR names " + new TreeSet<>(dns)
                            + (ips.isEmpty() ? "" : " " + new TreeSet<>(ips))
                            + (uris.isEmpty() ? "" : " " + new TreeSet<>(uris))
                            + " but the " + PolicyAuthority.kind(grant) + " is for " + new TreeSet<>(grant.dnsNames())
                            + (grant.ipAddresses().isEmpty() ? "" : " " + new TreeSet<>(grant.ipAddresses())));
        }
    }

    private static PkiException notAllowed(Entitlement grant, String kind, String name, List<String> allowed) {
        return PkiException.forbidden(
                "name_not_allowed",
                kind + " '" + Names.printable(name) + "' is not allowed by this " + PolicyAuthority.kind(grant)
                        + " (allowed: " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)) + ")");
    }
}
