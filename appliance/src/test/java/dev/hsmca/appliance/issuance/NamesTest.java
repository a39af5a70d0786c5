package dev.hsmca.appliance.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hsmca.appliance.domain.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @Test
    void normalizesValidHostNames() {
        assertEquals("svc.example.com", Names.dnsName("SVC.Example.com"));
        assertEquals("localhost", Names.dnsName("localhost"));
        assertEquals("*.example.com", Names.dnsName("*.example.com"));
        assertEquals("xn--bcher-kva.example", Names.dnsName("xn--bcher-kva.example"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "bad_name.example.com",
                "-lead.example.com",
                "trail-.example.com",
                "a..b",
                "example.com.",
                "*.com",
                "a.*.example.com",
                "1.2.3.4",
                "space here.com",
                "bücher.example"
            })
    void refusesInvalidHostNames(String name) {
        assertNull(Names.dnsName(name));
    }

    @Test
    void refusesOverlongNames() {
        assertNull(Names.dnsName("a".repeat(64) + ".com"));
        assertNull(Names.dnsName(("a".repeat(60) + ".").repeat(5) + "com"));
    }

    @Test
    void parsesIpLiteralsWithoutResolving() {
        assertEquals("10.0.0.1", Names.ipAddress("10.0.0.1"));
        assertEquals("0:0:0:0:0:0:0:1", Names.ipAddress("::1"));
        assertNull(Names.ipAddress("256.1.1.1"));
        assertNull(Names.ipAddress("localhost"));
        assertNull(Names.ipAddress("example.com"));
    }
}
