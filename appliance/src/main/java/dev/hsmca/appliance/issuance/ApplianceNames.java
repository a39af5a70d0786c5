package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.policy.ReservedNames;
import dev.hsmca.core.CaRole;
import jakarta.inject.Singleton;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The appliance's TLS names as {@link ReservedNames}: those {@code pki.ca.tls-names} gives and those its active TLS
 * certificate carries (a renewal keeps the old certificate's names, which the setting may no longer list).
 */
@Singleton
public class ApplianceNames implements ReservedNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private final CaConfig config;
    private final CaHierarchy ca;
    /** The names for one TLS certificate, made again when another is active. */
    private volatile Cached cached;

    private record Cached(X509Certificate certificate, Set<String> names) {}

    public ApplianceNames(CaConfig config, CaHierarchy ca) {
        this.config = config;
        this.ca = ca;
    }

    @Override
    public Set<String> current() {
        X509Certificate tls = ca.has(CaRole.TLS) ? ca.member(CaRole.TLS).certificate() : null;
        Cached c = cached;
        if (c != null && Objects.equals(c.certificate(), tls)) {
            return c.names();
        }
        Set<String> names = new TreeSet<>();
        config.tlsNames().forEach(n -> add(names, n.trim()));
        if (tls != null) {
            sans(tls).forEach(n -> add(names, n));
        }
        c = new Cached(tls, Set.copyOf(names));
        cached = c;
        return c.names();
    }

    private static void add(Set<String> names, String raw) {
        String ip = Names.ipAddress(raw);
        String name = ip != null ? ip : Names.dnsName(raw);
        if (name != null && !ReservedNames.loopback(name)) {
            names.add(name);
        }
    }

    private static List<String> sans(X509Certificate c) {
        try {
            Collection<List<?>> all = c.getSubjectAlternativeNames();
            return all == null
                    ? List.of()
                    : all.stream()
                            .filter(n -> (Integer) n.get(0) == SAN_DNS || (Integer) n.get(0) == SAN_IP)
                            .map(n -> (String) n.get(1))
                            .toList();
        } catch (CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
    }
}
