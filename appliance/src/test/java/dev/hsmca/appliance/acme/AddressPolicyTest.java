package dev.hsmca.appliance.acme;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.Settings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every kind of address that is not public, refused; public ones allowed; the admin's networks and the test switch. */
class AddressPolicyTest {
    static AddressPolicy policy(boolean allowPrivate, String... networks) {
        return new AddressPolicy(new AcmeValidationConfig(
                allowPrivate, List.of(networks), Duration.ofSeconds(30), 8, 2, 50, 1000, Duration.ofSeconds(30)));
    }

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void nonPublicAddressesAreRefused() throws Exception {
        AddressPolicy p = policy(false);
        for (String a : List.of(
                "127.0.0.1",
                "127.255.0.9",
                "::1", // loopback
                "10.0.0.1",
                "172.16.5.4",
                "172.31.255.255",
                "192.168.1.1", // private
                "169.254.169.254",
                "fe80::1", // link-local (cloud metadata)
                "100.64.0.1",
                "100.127.255.254", // CGNAT
                "fc00::1",
                "fd12:3456::1", // ULA
                "224.0.0.1",
                "239.255.255.250",
                "ff02::1", // multicast
                "0.0.0.0",
                "::",
                "0.1.2.3", // unspecified, "this network"
                "255.255.255.255",
                "240.0.0.1",
                "192.0.2.1",
                "198.18.0.1", // broadcast, reserved, documentation
                "2001:db8::1",
                "2002:7f00:1::1",
                "2001:0:4136:e378::1", // documentation, 6to4, Teredo
                "64:ff9b::a00:1",
                "64:ff9b::7f00:1")) { // NAT64 carrying 10.0.0.1, 127.0.0.1
            assertFalse(p.permits(ip(a)), a);
        }
        // IPv4-mapped, whichever form the resolver hands back
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        assertFalse(p.permits(Inet6Address.getByAddress(null, mapped, -1)), "::ffff:127.0.0.1 as an Inet6Address");
        assertFalse(p.permits(ip("::ffff:10.0.0.1")), "::ffff:10.0.0.1");
    }

    @Test
    void publicAddressesAreAllowed() throws Exception {
        AddressPolicy p = policy(false);
        for (String a : List.of(
                "93.184.216.34",
                "8.8.8.8",
                "100.128.0.1",
                "172.32.0.1",
                "192.169.0.1",
                "2606:4700::1111",
                "64:ff9b::808:808",
                "::ffff:8.8.8.8")) {
            assertTrue(p.permits(ip(a)), a);
        }
    }

    @Test
    void theAdminsNetworksAndTheTestSwitch() throws Exception {
        AddressPolicy p = policy(false, "10.20.0.0/16", "fd00:1::/32", "192.168.7.7");
        assertTrue(p.permits(ip("10.20.3.4")));
        assertFalse(p.permits(ip("10.21.0.1")));
        assertTrue(p.permits(ip("fd00:1:2::3")));
        assertTrue(p.permits(ip("192.168.7.7")));
        assertFalse(p.permits(ip("192.168.7.8")));
        assertFalse(p.permits(ip("127.0.0.1")));
        assertTrue(policy(true).permits(ip("127.0.0.1")));
        assertTrue(policy(true).permits(ip("169.254.169.254")));
        // a name, a bad prefix: the start fails naming the setting (and no lookup of the name)
        for (String bad : List.of("intranet.example", "10.0.0.0/33", "cafe", "10.0.0.0/x")) {
            Settings.Invalid e = assertThrows(Settings.Invalid.class, () -> policy(false, bad), bad);
            assertTrue(e.getMessage().contains("pki.acme.validation.allowed-networks"), e.getMessage());
        }
    }
}
