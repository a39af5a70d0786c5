package dev.hsmca.appliance.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The validator against servers that misbehave: names with a non-public address (no connection is made), a name
 * whose second lookup would answer otherwise (there is none), servers that drip bytes (the deadline ends them), and
 * servers whose answers must not come back in the challenge's error.
 */
class AcmeValidatorTest {
    static final String TOKEN = "tok3n";
    static final String THUMBPRINT = "thumb";
    static final String KEY_AUTHORIZATION = TOKEN + "." + THUMBPRINT;

    static AcmeConfig ports(int http01, int tlsAlpn01) {
        return new AcmeConfig(true, "tls-server", 90, 300, 1000, Duration.ofHours(24), http01, tlsAlpn01, null, null);
    }

    static AcmeValidationConfig limits(boolean allowPrivate, List<String> allowedNetworks, Duration deadline) {
        return new AcmeValidationConfig(
                allowPrivate, allowedNetworks, deadline, 8, 2, 50, 1000, Duration.ofSeconds(30));
    }

    /** Answers the right key authorization over http-01; counts requests. */
    static ScriptedServer goodHttp01() {
        return new ScriptedServer(ScriptedServer.answers(
                "HTTP/1.1 200 OK\r\nContent-Length: " + KEY_AUTHORIZATION.length() + "\r\n\r\n" + KEY_AUTHORIZATION));
    }

    @Test
    void aNameWithANonPublicAddressIsRefusedWithoutAConnection() throws Exception {
        try (ScriptedServer web = goodHttp01()) {
            AcmeConfig ports = ports(web.port(), web.port());
            // production: loopback refused, for http-01 and tls-alpn-01, and the address is not told
            for (String type : List.of("http-01", "tls-alpn-01")) {
                AcmeValidator.Result r = new AcmeValidator(
                                ports,
                                limits(false, List.of(), Duration.ofSeconds(30)),
                                name -> List.of(InetAddress.getByName("127.0.0.1")))
                        .validate(type, "a.example", TOKEN, THUMBPRINT);
                assertFalse(r.valid(), type);
                assertEquals("rejectedIdentifier", r.problemType(), r.detail());
                assertFalse(r.detail().contains("127.0.0.1"), r.detail());
            }
            // one public address and one private: refused (every address is checked, not only the first)
            AcmeValidator.Result mixed = new AcmeValidator(
                            ports,
                            limits(false, List.of(), Duration.ofSeconds(30)),
                            name -> List.of(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.1.2.3")))
                    .validate("http-01", "a.example", TOKEN, THUMBPRINT);
            assertEquals("rejectedIdentifier", mixed.problemType(), mixed.detail());
            // an IPv4-mapped IPv6 loopback, link-local metadata address, CGNAT, ULA: refused too
            for (String a : List.of("::ffff:127.0.0.1", "169.254.169.254", "100.64.0.1", "fd00::1", "::")) {
                AcmeValidator.Result r = new AcmeValidator(
                                ports,
                                limits(false, List.of(), Duration.ofSeconds(30)),
                                name -> List.of(InetAddress.getByName(a)))
                        .validate("http-01", "a.example", TOKEN, THUMBPRINT);
                assertEquals("rejectedIdentifier", r.problemType(), a);
            }
            assertEquals(0, web.accepted(), "no connection to a refused address");

            // the test switch, and an admin's allowed network, open loopback
            assertTrue(new AcmeValidator(
                            ports,
                            limits(true, List.of(), Duration.ofSeconds(30)),
                            name -> List.of(InetAddress.getByName("127.0.0.1")))
                    .validate("http-01", "a.example", TOKEN, THUMBPRINT)
                    .valid());
            assertTrue(new AcmeValidator(
                            ports,
                            limits(false, List.of("127.0.0.0/8"), Duration.ofSeconds(30)),
                            name -> List.of(InetAddress.getByName("127.0.0.1")))
                    .validate("http-01", "a.example", TOKEN, THUMBPRINT)
                    .valid());
        }
    }

    @Test
    void theNameIsLookedUpOnceAndTheCheckedAddressIsTheOneDialled() throws Exception {
        try (ScriptedServer web = goodHttp01()) {
            // a rebinding name: allowed at the first lookup, a forbidden address at any later one
            AtomicInteger lookups = new AtomicInteger();
            List<String> asked = new ArrayList<>();
            AcmeValidator v = new AcmeValidator(
                    ports(web.port(), web.port()),
                    limits(false, List.of("127.0.0.1/32"), Duration.ofSeconds(30)),
                    name -> {
                        asked.add(name);
                        return List.of(
                                InetAddress.getByName(lookups.getAndIncrement() == 0 ? "127.0.0.1" : "10.9.9.9"));
                    });
            AcmeValidator.Result r = v.validate("http-01", "rebind.example", TOKEN, THUMBPRINT);
            assertTrue(r.valid(), r.detail());
            assertEquals(List.of("rebind.example"), asked, "one lookup per validation");
            assertEquals(1, web.accepted());
        }
    }

    @Test
    void theDeadlineEndsAServerThatDripsBytes() {
        // an HTTP answer that never ends, one byte every 200 ms (each read gets a byte: a per-read timeout never trips)
        byte[] httpHead = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        // a TLS record header announcing 16 KiB, then the same drip: the handshake waits for ever
        byte[] tlsHead = {0x16, 0x03, 0x03, 0x40, 0x00};
        try (ScriptedServer http = new ScriptedServer(ScriptedServer.drips(httpHead, (byte) 'x', 200));
                ScriptedServer tls = new ScriptedServer(ScriptedServer.drips(tlsHead, (byte) 0, 200))) {
            AcmeValidator v = new AcmeValidator(
                    ports(http.port(), tls.port()),
                    limits(true, List.of(), Duration.ofSeconds(2)),
                    name -> List.of(InetAddress.getLoopbackAddress()));
            for (String type : List.of("http-01", "tls-alpn-01")) {
                AcmeValidator.Result r = assertTimeoutPreemptively(
                        Duration.ofSeconds(60),
                        () -> v.validate(type, "drip.example", TOKEN, THUMBPRINT),
                        type + " must end by its deadline");
                assertFalse(r.valid());
                assertEquals("connection", r.problemType(), r.detail());
                assertTrue(r.detail().contains("within 2 s"), r.detail());
            }
        }
    }

    @Test
    void theErrorRepeatsNothingTheServerSent() throws Exception {
        Map<String, String> answers = new HashMap<>(Map.of(
                "reason phrase", "HTTP/1.1 404 SECRET-REASON db=10.0.0.7\r\n\r\n",
                "error body", "HTTP/1.1 500 Internal\r\nContent-Type: text/plain\r\n\r\nSECRET-BODY password=hunter2",
                "wrong body", "HTTP/1.1 200 OK\r\n\r\nSECRET-BODY internal admin page",
                "bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nSECRET-CHUNK\r\nxx\r\n0\r\n\r\n",
                "not http", "SSH-2.0-OpenSSH_SECRET-BANNER\r\n"));
        for (Map.Entry<String, String> e : answers.entrySet()) {
            try (ScriptedServer web = new ScriptedServer(ScriptedServer.answers(e.getValue()))) {
                AcmeValidator.Result r = new AcmeValidator(
                                ports(web.port(), web.port()),
                                limits(true, List.of(), Duration.ofSeconds(30)),
                                name -> List.of(InetAddress.getLoopbackAddress()))
                        .validate("http-01", "echo.example", TOKEN, THUMBPRINT);
                assertFalse(r.valid(), e.getKey());
                assertFalse(
                        r.detail().contains("SECRET")
                                || r.detail().contains("hunter2")
                                || r.detail().contains("10.0.0.7"),
                        e.getKey() + ": " + r.detail());
                assertFalse(r.detail().contains("127.0.0.1"), e.getKey() + ": " + r.detail());
            }
        }
        // a status code is the CA's own finding: it is told
        try (ScriptedServer web = new ScriptedServer(ScriptedServer.answers(answers.get("reason phrase")))) {
            AcmeValidator.Result r = new AcmeValidator(
                            ports(web.port(), web.port()),
                            limits(true, List.of(), Duration.ofSeconds(30)),
                            name -> List.of(InetAddress.getLoopbackAddress()))
                    .validate("http-01", "echo.example", TOKEN, THUMBPRINT);
            assertTrue(r.detail().contains("HTTP 404"), r.detail());
        }
    }
}
