package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wire both this library and the appliance's CLI use: any status comes back, with its JSON when it is an object. */
class CaHttpTest {
    final TestClock clock = new TestClock(Instant.now());
    final FakeCa fake = new FakeCa(clock);
    final CaHttp http = new CaHttp(fake.url(), anonymous(), Duration.ofSeconds(30), Duration.ofSeconds(30));

    @AfterEach
    void close() {
        fake.close();
    }

    SSLContext anonymous() {
        return Tls.context(null, Tls.trustManagers(fake.ca.root(), Tls.Revocation.OFF));
    }

    URI uri(String path) {
        return URI.create(fake.url() + path);
    }

    @Test
    void anyStatusComesBackWithItsJson() {
        CaHttp.Answer a = http.get(uri("/nowhere"), Map.of());
        assertEquals(404, a.status());
        assertEquals("not_found", a.json().get("error"));
        assertTrue(a.body().contains("no route /nowhere"), a.body());
        assertEquals("application/json", a.header("Content-Type").orElseThrow());
    }

    @Test
    void theJsonIsThereOnlyForAnObject() {
        for (String body : List.of("[1,2]", "", "   ", "not json", "{\"broken\":", "\"text\"")) {
            fake.next("/x", new FakeCa.Reply(200, Map.of(), body));
            CaHttp.Answer a = http.get(uri("/x"), Map.of());
            assertEquals(200, a.status());
            assertNull(a.json(), body);
            assertEquals(body, a.body());
        }
        fake.next("/x", new FakeCa.Reply(200, Map.of(), " \n{\"a\":1}"));
        assertEquals(Map.of("a", 1L), http.get(uri("/x"), Map.of()).json());
    }

    @Test
    void sendsJsonAndTheCallersHeaders() {
        fake.next("/p", s -> FakeCa.Reply.json(201, s.json()));
        CaHttp.Answer a = http.post(
                uri("/p?q=1"), Map.of("X-Request", "r1"), Map.of("names", List.of("a", "b"), "n", 3, "on", true));
        assertEquals(201, a.status());
        assertEquals(Map.of("names", List.of("a", "b"), "n", 3L, "on", true), a.json(), "the body arrived as JSON");
        FakeCa.Seen s = fake.seen("/p").get(0);
        assertEquals("POST", s.method());
        assertEquals("r1", s.headers().get("x-request"));
        assertEquals("application/json", s.headers().get("content-type"));
        assertEquals("application/json", s.headers().get("accept"));
    }

    @Test
    void getAndDeleteSendNoBody() {
        fake.next("/d", FakeCa.Reply.json(200, Map.of("deleted", true)));
        assertEquals(true, http.delete(uri("/d"), Map.of()).json().get("deleted"));
        http.get(uri("/g"), Map.of("If-None-Match", "\"e1\""));
        assertEquals("DELETE", fake.seen("/d").get(0).method());
        assertEquals("", fake.seen("/d").get(0).body());
        assertEquals("GET", fake.seen("/g").get(0).method());
        assertEquals("\"e1\"", fake.seen("/g").get(0).headers().get("if-none-match"));
    }

    @Test
    void presentsTheCertificateItsContextHolds() {
        Credentials c = fake.ca.credentials(
                List.of("admin"), Instant.now(), Instant.now().plus(Duration.ofHours(1)));
        SSLContext mtls =
                Tls.context(new ReloadingKeyManager(() -> c), Tls.trustManagers(fake.ca.root(), Tls.Revocation.OFF));
        new CaHttp(fake.url(), mtls, Duration.ofSeconds(30), Duration.ofSeconds(30)).get(uri("/who"), Map.of());
        assertEquals(c.serialNumber(), fake.seen("/who").get(0).peer().getSerialNumber());
        http.get(uri("/anonymous"), Map.of());
        assertNull(fake.seen("/anonymous").get(0).peer());
    }

    @Test
    void anAnswerLaterThanTheRequestTimeoutIsATimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        fake.next("/slow", s -> {
            try {
                release.await(1, TimeUnit.MINUTES); // holds the answer until the client has given up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeCa.Reply.json(200, Map.of());
        });
        CaHttp impatient = new CaHttp(fake.url(), anonymous(), Duration.ofSeconds(30), Duration.ofSeconds(1));
        try {
            PkiClientException e = assertThrows(PkiClientException.class, () -> impatient.get(uri("/slow"), Map.of()));
            assertEquals(PkiClientException.Kind.UNREACHABLE, e.kind());
            assertEquals("timeout", e.code(), e.getMessage());
            assertEquals("the CA at " + fake.url() + " did not answer within 1 s", e.getMessage());
            assertTrue(e.getCause() instanceof HttpTimeoutException, String.valueOf(e.getCause()));
        } finally {
            release.countDown();
        }
    }

    @Test
    void anInterruptedCallerStopsAndStaysInterrupted() {
        Thread.currentThread().interrupt();
        try {
            PkiClientException e = assertThrows(PkiClientException.class, () -> http.get(uri("/x"), Map.of()));
            assertEquals("interrupted", e.code());
            assertTrue(e.getCause() instanceof InterruptedException);
            assertTrue(Thread.currentThread().isInterrupted(), "the flag is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void describeFindsTheFirstMessageDownTheCauses() {
        assertEquals(
                "Connection refused",
                CaHttp.describe(new IOException((String) null, new IOException("Connection refused"))));
        assertEquals("IOException", CaHttp.describe(new IOException((String) null)));
        assertEquals("outer", CaHttp.describe(new IOException("outer", new IOException("inner"))));
    }
}
