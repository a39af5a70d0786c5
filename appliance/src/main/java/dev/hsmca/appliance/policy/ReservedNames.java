package dev.hsmca.appliance.policy;

import dev.hsmca.appliance.domain.Names;
import java.util.Collection;
import java.util.Set;

/**
 * The names only the appliance's own certificates may carry: its TLS names. Clients trust every certificate of this
 * CA, so a certificate for one of them, got with a credential handed to a service (an install token, an enrollment
 * key), would let that service pose as the appliance to everyone who enrolls or renews. Loopback names (localhost,
 * 127.0.0.0/8, ::1) are left out: every host has them, they identify none, and services are issued them on purpose.
 */
@FunctionalInterface
public interface ReservedNames {
    /** No reserved names (tests of the policy alone). */
    ReservedNames NONE = Set::of;

    /** The reserved DNS names (a {@code *.domain} among them) and IP addresses, canonical; loopback names excluded. */
    Set<String> current();

    /** The reserved name that {@code name} (a DNS name, a {@code *.domain} pattern or an IP address) is or covers. */
    default String covered(String name) {
        return covered(current(), name);
    }

    static String covered(Collection<String> reserved, String name) {
        for (String r : reserved) {
            // either way round: *.example covers the appliance's ca.example; ca.example is covered by its *.example
            if (Names.matches(name, r) || Names.matches(r, name)) {
                return r;
            }
        }
        return null;
    }

    /** Whether a canonical DNS name or IP address is a loopback name, which every host has. */
    static boolean loopback(String name) {
        String ip = Names.ipAddress(name);
        if (ip != null) {
            return ip.startsWith("127.") || ip.equals("0:0:0:0:0:0:0:1");
        }
        return name.equals("localhost") || name.endsWith(".localhost"); // RFC 6761 §6.3
    }
}
