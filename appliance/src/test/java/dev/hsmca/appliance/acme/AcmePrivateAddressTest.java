package dev.hsmca.appliance.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.acme.AcmeTestClient.Reply;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The validator as shipped (no {@code allow-private-addresses}): a name that resolves to loopback is refused, its
 * web server is never asked, and the challenge's error says why without the address.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmePrivateAddressTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();
    static final AtomicInteger ASKED = new AtomicInteger();
    static final Map<String, String> HTTP01 = new ConcurrentHashMap<>() {
        @Override
        public String get(Object token) {
            ASKED.incrementAndGet();
            return super.get(token);
        }
    };
    static final Http01Server WEB = Http01Server.tokens(HTTP01);

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> p = new HashMap<>(APP.properties());
        p.put("pki.acme.http01-port", Integer.toString(WEB.port()));
        p.put("pki.acme.resolve", "*.acme.test=127.0.0.1");
        return p;
    }

    @AfterAll
    void stop() {
        WEB.close();
    }

    @Test
    void aNameOnLoopbackIsRefusedAndItsServerNeverAsked() throws Exception {
        var e = Api.parse(new Api(APP.adminSsl(), server.getPort())
                .postJson("/api/v1/acme/eab", Map.of("service", "inside", "allow_dns", List.of("inside.acme.test"))));
        AcmeTestClient c = new AcmeTestClient(APP.anonymousSsl(), server.getPort());
        assertEquals(
                201,
                c.register(c.binding((String) e.get("kid"), (String) e.get("hmac_key")))
                        .status());
        Reply order = c.newOrder("inside.acme.test");
        String authz = AcmeTestClient.list(order.json(), "authorizations").get(0);
        Map<String, Object> ch = c.challenge(authz, "http-01");
        HTTP01.put((String) ch.get("token"), c.keyAuthorization((String)
                ch.get("token"))); // served correctly, on loopback
        assertEquals(200, c.post((String) ch.get("url"), Map.of()).status());

        assertEquals("invalid", c.pollWhile(authz, "pending").get("status"));
        @SuppressWarnings("unchecked")
        Map<String, Object> error =
                (Map<String, Object>) c.challenge(authz, "http-01").get("error");
        assertEquals("urn:ietf:params:acme:error:rejectedIdentifier", error.get("type"), error.toString());
        assertTrue(String.valueOf(error.get("detail")).contains("not public"), error.toString());
        assertFalse(String.valueOf(error.get("detail")).contains("127.0.0.1"), error.toString());
        assertEquals(0, ASKED.get(), "the validator never reached the loopback web server");
    }
}
