package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's front door against a fake CA: what it checks, what it stores, what it asks again at renewal. */
class PkiClientTest {
    final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    final FakeCa fake = new FakeCa(clock);

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        fake.close();
    }

    PkiClient.Builder builder() {
        return PkiClient.builder()
                .caUrl(fake.url())
                .root(fake.ca.rootPem())
                .store(dir.resolve("pki"))
                .clock(clock);
    }

    PkiClient enrolled(String... names) {
        fake.tokens.add("hct_e");
        PkiClient pki = builder().build();
        pki.enroll("hct_e", "tls-server", "2h", names);
        return pki;
    }

    static PkiClientException.Kind kind(Runnable r) {
        return assertThrows(PkiClientException.class, r::run).kind();
    }

    static String code(Runnable r) {
        return assertThrows(PkiClientException.class, r::run).code();
    }

    @Test
    void theBuilderRefusesWhatCannotWork() {
        assertEquals("invalid_url", code(() -> PkiClient.builder().caUrl("http://ca:8443")));
        assertEquals("invalid_url", code(() -> PkiClient.builder().caUrl("https:///nohost")));
        assertEquals("invalid_url", code(() -> PkiClient.builder().caUrl("not a url")));
        assertThrows(NullPointerException.class, () -> PkiClient.builder().caUrl(null));
        assertEquals("invalid_root", code(() -> PkiClient.builder().root("not PEM")));
        assertEquals("invalid_root", code(() -> PkiClient.builder().root(dir.resolve("missing.pem"))));
        assertEquals(
                "incomplete",
                code(() -> PkiClient.builder()
                        .caUrl(fake.url())
                        .root(fake.ca.rootPem())
                        .build()));
        assertEquals(
                PkiClientException.Kind.INVALID,
                kind(() -> PkiClient.builder().root(fake.ca.rootPem()).build()));
    }

    @Test
    void aRootFileIsReadLikeItsText() throws Exception {
        Path root = Files.writeString(dir.resolve("root.pem"), fake.ca.rootPem());
        fake.tokens.add("hct_f");
        try (PkiClient pki = PkiClient.builder()
                .caUrl(fake.url())
                .root(root)
                .store(dir.resolve("pki"))
                .build()) {
            assertTrue(pki.enrollIfNeeded("hct_f", "f.internal"));
        }
    }

    @Test
    void enrollmentStoresTheCertificateAndWhatToAskAgain() throws Exception {
        try (PkiClient pki = enrolled("api.internal", "10.1.2.3")) {
            Credentials c = pki.credentials();
            assertEquals(List.of("api.internal", "10.1.2.3"), PkiClient.names(c.certificate()));
            assertEquals(c.serialNumber(), pki.store().load().orElseThrow().serialNumber());
            Properties meta = PkiClient.enrollment(pki.store().dir());
            assertEquals("2h", meta.getProperty("validity"));
            assertEquals("tls-server", meta.getProperty("profile"));
            assertEquals(fake.url(), meta.getProperty("ca_url"));
            assertEquals(fake.ca.rootPem(), Files.readString(pki.store().dir().resolve("root.pem")));
            Map<String, Object> sent = fake.seen("/api/v1/certificates").get(0).json();
            assertEquals(List.of("csr", "profile", "validity"), List.copyOf(sent.keySet()), "the key is never sent");
            assertEquals(
                    List.of("api.internal", "10.1.2.3"),
                    TestCa.read((String) sent.get("csr")).names());
        }
    }

    @Test
    void enrollmentNeedsATokenAndANameAndAllowsNoBadName() {
        try (PkiClient pki = builder().build()) {
            assertEquals("no_token", code(() -> pki.enroll(" ", null, null, "a.internal")));
            assertEquals("no_token", code(() -> pki.enroll(null, null, null, "a.internal")));
            fake.tokens.add("hct_n");
            assertEquals("no_names", code(() -> pki.enroll("hct_n", null, null)));
            assertEquals("invalid_name", code(() -> pki.enroll("hct_n", null, null, "qq:not:an:ip")));
            assertTrue(fake.seen.isEmpty(), "nothing reaches the CA");
            assertNull(pki.credentials());
        }
    }

    @Test
    void theTokenIsSentTrimmed() {
        fake.tokens.add("hct_trim");
        try (PkiClient pki = builder().build()) {
            pki.enroll("  hct_trim\n", null, null, "t.internal");
            assertEquals(
                    "Bearer hct_trim",
                    fake.seen("/api/v1/certificates").get(0).headers().get("authorization"));
        }
    }

    @Test
    void enrollIfNeededOnlyWithoutAValidCertificate() {
        try (PkiClient pki = enrolled("a.internal")) {
            assertFalse(pki.enrollIfNeeded("hct_unused", "a.internal"), "still valid: nothing to do");
            clock.advance(Duration.ofHours(3));
            fake.tokens.add("hct_again");
            assertTrue(pki.enrollIfNeeded("hct_again", "a.internal"), "expired: enrolled again");
            assertEquals(2, fake.seen("/api/v1/certificates").size());
        }
    }

    @Test
    void aNewClientOnTheSameFolderPicksUpTheCertificate() {
        String serial;
        try (PkiClient pki = enrolled("a.internal")) {
            serial = pki.credentials().serial();
        }
        try (PkiClient again = builder().build()) {
            assertEquals(serial, again.credentials().serial());
        }
    }

    @Test
    void renewalMakesANewKeyAndAsksTheSameNamesAndLifetime() {
        try (PkiClient pki = enrolled("a.internal", "b.internal")) {
            Credentials before = pki.credentials();
            Credentials after = pki.renew();
            assertNotEquals(
                    before.certificate().getPublicKey(), after.certificate().getPublicKey(), "a new key");
            assertEquals(after.serialNumber(), pki.store().load().orElseThrow().serialNumber());
            FakeCa.Seen renew = fake.seen("/api/v1/certificates/renew").get(0);
            assertEquals(before.serialNumber(), renew.peer().getSerialNumber());
            assertEquals("2h", renew.json().get("validity"));
            assertEquals(false, renew.json().get("revoke_old"));
            assertEquals(
                    List.of("a.internal", "b.internal"),
                    TestCa.read((String) renew.json().get("csr")).names());
        }
    }

    @Test
    void reuseKeyKeepsTheKey() {
        fake.tokens.add("hct_r");
        try (PkiClient pki = builder().reuseKey(true).keyType(KeyType.EC_P256).build()) {
            pki.enroll("hct_r", null, null, "r.internal");
            Credentials before = pki.credentials();
            assertEquals(
                    before.certificate().getPublicKey(),
                    pki.renew().certificate().getPublicKey());
        }
    }

    @Test
    void aCertificateForAnotherKeyIsRefusedAndNothingChanges() {
        try (PkiClient pki = enrolled("a.internal")) {
            Credentials before = pki.credentials();
            Credentials stranger = fake.ca.credentials(
                    List.of("a.internal"), clock.instant(), clock.instant().plus(Duration.ofHours(1)));
            fake.next(
                    "/api/v1/certificates/renew",
                    FakeCa.Reply.json(
                            201,
                            Map.of(
                                    "serial",
                                    stranger.serial(),
                                    "certificate_pem",
                                    Pem.certificates(List.of(stranger.certificate())),
                                    "chain_pem",
                                    fake.ca.rootPem())));
            assertEquals("bad_answer", code(pki::renew));
            assertEquals(before, pki.credentials());
            assertEquals(before.serialNumber(), pki.store().load().orElseThrow().serialNumber());
        }
    }

    @Test
    void withoutACertificateOnlyEnrollmentWorks() {
        try (PkiClient pki = builder().build()) {
            assertEquals("not_enrolled", code(pki::renew));
            assertEquals("not_enrolled", code(() -> pki.status(null)));
            assertEquals("not_enrolled", code(pki::startAutoRenewal));
            assertEquals("not_enrolled", code(() -> pki.register("svc", null, null, null, null)));
            assertFalse(pki.autoRenewing());
        }
    }

    @Test
    void registrationSendsTheServiceWithItsDefaults() {
        try (PkiClient pki = enrolled("a.internal")) {
            assertEquals("svc", pki.register("svc", null, null, null, null).get("service"));
            assertEquals(
                    Map.of("service", "svc", "endpoints", List.of(), "metadata", Map.of()),
                    fake.seen("/api/v1/services").get(0).json());
            pki.register(
                    "svc", "Service", List.of("https://a.internal"), "https://a.internal/health", Map.of("team", "x"));
            assertEquals(
                    List.of("service", "display_name", "endpoints", "health_check_url", "metadata"),
                    List.copyOf(fake.seen("/api/v1/services").get(1).json().keySet()));
        }
    }

    @Test
    void autoRenewalStartsOnceAndStopsAtClose() {
        PkiClient pki = enrolled("a.internal");
        pki.startAutoRenewal();
        pki.startAutoRenewal();
        assertTrue(pki.autoRenewing());
        pki.close();
        assertFalse(pki.autoRenewing());
    }
}
