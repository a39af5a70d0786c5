package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.domain.Settings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which addresses the ACME validator may connect to: public ones only, so that a client cannot make the CA probe
 * its own host, its network or a cloud metadata service. The list follows Let's Encrypt's (boulder bdns): IANA
 * special-purpose blocks, IPv4-mapped and 6to4/Teredo forms; NAT64 ({@code 64:ff9b::/96}) is judged by the IPv4
 * address it carries. An admin may open networks of its own ({@code allowed-networks}); the test switch opens all.
 */
final class AddressPolicy {
    /** A network: its first bytes and the prefix length. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) throws UnknownHostException {
            String t = text.trim();
            int slash = t.indexOf('/');
            String host = slash < 0 ? t : t.substring(0, slash);
            if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !host.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new UnknownHostException("not an IP address: " + host); // never a DNS lookup here
            }
            byte[] address = InetAddress.getByName(host).getAddress();
            if (host.contains(":") && address.length == 4) { // the JDK turns ::ffff:a.b.c.d into a.b.c.d
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(address, 0, mapped, 12, 4);
                address = mapped;
            }
            int bits = slash < 0 ? address.length * 8 : Integer.parseInt(t.substring(slash + 1));
            if (bits < 0 || bits > address.length * 8) {
                throw new UnknownHostException("prefix length " + bits + " out of range");
            }
            return new Cidr(address, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            if (!Arrays.equals(address, 0, full, network, 0, full)) {
                return false;
            }
            int rest = bits % 8;
            int mask = (0xff << (8 - rest)) & 0xff;
            return rest == 0 || (address[full] & mask) == (network[full] & mask);
        }
    }

    private static final List<Cidr> NOT_PUBLIC = cidrs(
            // IPv4: "this network", private, CGNAT, loopback, link-local, IETF protocol, documentation, 6to4 relay,
            // benchmarking, multicast, reserved and broadcast
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.0.0.0/24",
            "192.0.2.0/24",
            "192.88.99.0/24",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "224.0.0.0/4",
            "240.0.0.0/4",
            // IPv6: unspecified, loopback, IPv4-compatible and IPv4-mapped, NAT64 local use, discard, Teredo,
            // ORCHID, documentation, 6to4, unique local (ULA), link-local, site-local, multicast
            "::/128",
            "::1/128",
            "::/96",
            "::ffff:0:0/96",
            "64:ff9b:1::/48",
            "100::/64",
            "2001::/32",
            "2001:10::/28",
            "2001:20::/28",
            "2001:db8::/32",
            "2002::/16",
            "fc00::/7",
            "fe80::/10",
            "fec0::/10",
            "ff00::/8");
    private static final Cidr NAT64 = cidrs("64:ff9b::/96").get(0);

    private final boolean allowAll;
    private final List<Cidr> allowed;

    AddressPolicy(AcmeValidationConfig config) {
        this.allowAll = config.allowPrivateAddresses();
        this.allowed = networks("pki.acme.validation.allowed-networks", config.allowedNetworks());
    }

    /** Whether the validator may connect to this address. */
    boolean permits(InetAddress address) {
        return allowAll || isPublic(address) || allowed.stream().anyMatch(c -> c.contains(address.getAddress()));
    }

    static boolean isPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && NAT64.contains(b)) {
            return isPublic(embeddedIpv4(b));
        }
        return NOT_PUBLIC.stream().noneMatch(c -> c.contains(b));
    }

    private static InetAddress embeddedIpv4(byte[] v6) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(v6, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    /** Parsed networks; a malformed one is a setting error naming the key. */
    static List<Cidr> networks(String key, List<String> texts) {
        List<Cidr> out = new ArrayList<>();
        for (String t : texts == null ? List.<String>of() : texts) {
            try {
                out.add(Cidr.parse(t));
            } catch (UnknownHostException | NumberFormatException e) {
                throw new Settings.Invalid(key, "'" + t + "' is not an address or a network such as 10.0.0.0/8");
            }
        }
        return out;
    }

    private static List<Cidr> cidrs(String... texts) {
        return networks("built-in", List.of(texts));
    }
}
