package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The library's calls against a fake CA: what is sent, what is read back, and how every failure is named. */
class CaApiTest {
    final TestClock clock = new TestClock(Instant.now());
    final FakeCa fake = new FakeCa(clock);
    final CaApi api = api(fake.ca, Duration.ofSeconds(30));

    @AfterEach
    void close() {
        fake.close();
    }

    CaApi api(TestCa trusted, Duration timeout) {
        return new CaApi(URI.create(fake.url()), Tls.trustManagers(trusted.root(), Tls.Revocation.OFF), timeout);
    }

    static String csr(String... names) {
        KeyPair pair = KeyType.EC_P256.generate();
        return Csr.create(pair, KeyType.EC_P256, List.of(names));
    }

    Credentials current() {
        return fake.ca.credentials(
                List.of("svc.internal"), clock.instant(), clock.instant().plus(Duration.ofHours(1)));
    }

    @Test
    void enrollSendsTheTokenAndTheRequestAnonymously() {
        fake.tokens.add("hct_one");
        Map<String, Object> issued = api.enroll("hct_one", csr("a.internal"), "tls-server", "24h");
        assertTrue(
                String.valueOf(issued.get("certificate_pem")).startsWith("-----BEGIN CERTIFICATE-----"),
                issued.toString());
        FakeCa.Seen s = fake.seen("/api/v1/certificates").get(0);
        assertEquals("POST", s.method());
        assertEquals("Bearer hct_one", s.headers().get("authorization"));
        assertEquals("application/json", s.headers().get("content-type"));
        assertEquals("application/json", s.headers().get("accept"));
        assertNull(s.peer(), "no certificate is presented to enroll");
        assertEquals(List.of("csr", "profile", "validity"), List.copyOf(s.json().keySet()));
        assertEquals("tls-server", s.json().get("profile"));
        assertEquals("24h", s.json().get("validity"));
    }

    @Test
    void enrollLeavesOutWhatWasNotAsked() {
        fake.tokens.add("hct_two");
        api.enroll("hct_two", csr("b.internal"), null, null);
        assertEquals(
                List.of("csr"),
                List.copyOf(fake.seen("/api/v1/certificates").get(0).json().keySet()));
    }

    @Test
    void renewPresentsTheCurrentCertificate() {
        Credentials c = current();
        Map<String, Object> issued = api.renew(c, csr("svc.internal"), "2h", false);
        assertTrue(issued.containsKey("certificate_pem"));
        FakeCa.Seen s = fake.seen("/api/v1/certificates/renew").get(0);
        assertEquals(c.serialNumber(), s.peer().getSerialNumber(), "mTLS with the certificate being renewed");
        assertEquals(false, s.json().get("revoke_old"));
        assertEquals("2h", s.json().get("validity"));
        assertFalse(s.headers().containsKey("authorization"));
    }

    @Test
    void currentReadsTheWindowThenAskesWithItsEtag() {
        Credentials c = current();
        fake.renewAfter = Instant.parse("2030-01-01T00:00:00Z");
        fake.renewBefore = Instant.parse("2030-01-02T00:00:00Z");
        CaStatus status = api.current(c, null).orElseThrow();
        assertEquals(fake.renewAfter, status.renewAfter());
        assertEquals(fake.renewBefore, status.renewBefore());
        assertFalse(status.renewNow());
        assertEquals("valid", status.status());
        assertTrue(status.etag() != null && status.etag().startsWith("\""), status.etag());
        assertTrue(api.current(c, status.etag()).isEmpty(), "unchanged: 304, nothing to read");
        assertEquals(
                status.etag(),
                fake.seen("/api/v1/certificates/current").get(1).headers().get("if-none-match"));
        fake.renewNow = true;
        CaStatus moved = api.current(c, status.etag()).orElseThrow();
        assertTrue(moved.renewNow(), "a changed window is read again");
    }

    @Test
    void anOpenWindowHasNoInstants() {
        CaStatus status = api.current(current(), null).orElseThrow();
        assertNull(status.renewAfter());
        assertNull(status.renewBefore());
    }

    @Test
    void registerTakesCreatedAndUpdated() {
        Credentials c = current();
        Map<String, Object> body = Map.of("service", "svc", "endpoints", List.of("https://svc:443"));
        assertEquals("svc", api.register(c, body).get("service"));
        assertEquals("svc", api.register(c, body).get("service"), "200 the second time");
        assertEquals(
                c.serialNumber(), fake.seen("/api/v1/services").get(1).peer().getSerialNumber());
    }

    @ParameterizedTest
    @CsvSource({
        "401, token_used,           REFUSED",
        "403, name_not_allowed,     REFUSED",
        "401, certificate_revoked,  REVOKED",
        "401, certificate_expired,  EXPIRED",
        "503, hsm_unavailable,      UNAVAILABLE",
        "400, certificate_revoked,  REVOKED"
    })
    void theCasErrorsAreTyped(int status, String code, PkiClientException.Kind kind) {
        fake.tokens.add("hct_x");
        fake.next("/api/v1/certificates", FakeCa.Reply.error(status, code, "because " + code));
        PkiClientException e =
                assertThrows(PkiClientException.class, () -> api.enroll("hct_x", csr("x.internal"), null, null));
        assertEquals(kind, e.kind());
        assertEquals(code, e.code());
        assertEquals("the CA refused (" + code + "): because " + code, e.getMessage());
        assertEquals(kind == PkiClientException.Kind.UNAVAILABLE, e.retryable());
    }

    @Test
    void anAnswerWithoutJsonIsNamedByItsStatus() {
        fake.next("/api/v1/certificates/renew", new FakeCa.Reply(502, Map.of(), "<html>bad gateway</html>"));
        PkiClientException e =
                assertThrows(PkiClientException.class, () -> api.renew(current(), csr("svc.internal"), null, false));
        assertEquals(PkiClientException.Kind.REFUSED, e.kind());
        assertEquals("http_502", e.code());
        assertEquals("the CA refused (http_502): HTTP 502", e.getMessage());
        fake.next("/api/v1/certificates/current", new FakeCa.Reply(503, Map.of(), ""));
        assertEquals(
                PkiClientException.Kind.UNAVAILABLE,
                assertThrows(PkiClientException.class, () -> api.current(current(), null))
                        .kind());
    }

    @Test
    void anUnexpectedSuccessIsNotTakenForAnother() {
        fake.tokens.add("hct_y");
        fake.next("/api/v1/certificates", FakeCa.Reply.json(200, Map.of("certificate_pem", "x")));
        PkiClientException e =
                assertThrows(PkiClientException.class, () -> api.enroll("hct_y", csr("y.internal"), null, null));
        assertEquals("http_200", e.code());
    }

    @Test
    void aClosedPortIsUnreachable() throws Exception {
        try (ClosedPort port = new ClosedPort()) { // bound, never listening: refused, and nobody else's meanwhile
            int closed = port.port();
            CaApi nowhere = new CaApi(
                    URI.create("https://localhost:" + closed),
                    Tls.trustManagers(fake.ca.root(), Tls.Revocation.OFF),
                    Duration.ofSeconds(30));
            PkiClientException e =
                    assertThrows(PkiClientException.class, () -> nowhere.enroll("t", csr("z.internal"), null, null));
            assertEquals(PkiClientException.Kind.UNREACHABLE, e.kind());
            assertEquals("unreachable", e.code());
            assertTrue(
                    e.getMessage().startsWith("the CA at https://localhost:" + closed + " is unreachable: "),
                    e.getMessage());
            assertTrue(e.retryable());
        }
    }

    @Test
    void aServerOfAnotherRootIsATrustFailure() {
        CaApi wrongRoot = api(new TestCa("another-root"), Duration.ofSeconds(30));
        PkiClientException e =
                assertThrows(PkiClientException.class, () -> wrongRoot.enroll("t", csr("z.internal"), null, null));
        assertEquals(PkiClientException.Kind.TLS_TRUST, e.kind());
        assertEquals("tls_trust", e.code());
        assertEquals(
                "TLS trust failure: the server at " + fake.url()
                        + " presents a certificate that does not chain to the given root",
                e.getMessage());
        assertFalse(e.retryable());
        assertTrue(fake.seen.isEmpty(), "nothing was sent");
    }

    @Test
    void aCaThatDoesNotAnswerTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        fake.next("/api/v1/certificates/current", s -> {
            try {
                release.await(1, TimeUnit.MINUTES); // holds the answer until the client has given up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeCa.Reply.json(200, Map.of());
        });
        CaApi impatient = api(fake.ca, Duration.ofSeconds(1));
        try {
            PkiClientException e = assertThrows(PkiClientException.class, () -> impatient.current(current(), null));
            assertEquals(PkiClientException.Kind.UNREACHABLE, e.kind());
            assertTrue(e.retryable());
            // one timeout for both: the JDK's HTTP/1.1 client reports a hung answer as its connect timeout
            assertTrue(
                    e.getMessage().equals("the CA at " + fake.url() + " did not answer within 1 s")
                            || e.getMessage()
                                    .equals("the CA at " + fake.url() + " is unreachable: HTTP connect timed out"),
                    e.getMessage());
        } finally {
            release.countDown();
        }
    }
}
