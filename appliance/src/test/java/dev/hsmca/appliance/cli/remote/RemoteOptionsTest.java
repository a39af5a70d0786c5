package dev.hsmca.appliance.cli.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the admin commands find the appliance: the flag, then the environment the integration notes set. */
class RemoteOptionsTest {

    @Test
    void flagThenPkiUrlThenPkiServerUrlThenLocalhost() {
        RemoteOptions o = new RemoteOptions();
        assertEquals("https://localhost:8443", o.url(Map.of()));
        assertEquals("https://ca:9443", o.url(Map.of("PKI_SERVER_URL", " https://ca:9443 ")));
        assertEquals("https://a:1", o.url(Map.of("PKI_URL", "https://a:1", "PKI_SERVER_URL", "https://b:2")));
        assertEquals("https://b:2", o.url(Map.of("PKI_URL", " ", "PKI_SERVER_URL", "https://b:2")));
        o.url = "https://flag:3";
        assertEquals("https://flag:3", o.url(Map.of("PKI_URL", "https://a:1")));
    }
}
