package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Auto-renewal driven round by round on a clock that moves only when the test moves it, against a fake CA: when it
 * renews, how it polls, how it backs off, when it stops. No thread waits for anything.
 */
class AutoRenewerTest {
    @SuppressWarnings("TimeInStaticInitializer") // one start for the whole class is what the test wants
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    /** Two thirds of the lifetime, no jitter: a one-hour certificate is due 40 minutes after it starts. */
    static final RenewalPolicy POLICY =
            new RenewalPolicy(2.0 / 3, null, 0, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMinutes(1));

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(T0);
    final FakeCa fake = new FakeCa(clock);
    final Recorder events = new Recorder();
    final Manual scheduler = new Manual();
    PkiClient pki;
    AutoRenewer renewer;

    /** What the listeners heard. */
    static final class Recorder implements RenewalListener {
        final List<String> heard = new ArrayList<>();

        @Override
        public void renewed(Credentials now, Credentials before) {
            heard.add("renewed " + before.serial() + " -> " + now.serial());
        }

        @Override
        public void failed(PkiClientException error, Credentials current) {
            heard.add("failed " + error.kind());
        }

        @Override
        public void revoked(Credentials current) {
            heard.add("revoked " + current.serial());
        }
    }

    /** Rounds queued with their delay, run when the test says. */
    static final class Manual implements AutoRenewer.Scheduler {
        final Deque<Runnable> rounds = new ArrayDeque<>();
        final List<Duration> delays = new ArrayList<>();
        boolean shutdown;

        @Override
        public void schedule(Runnable round, Duration delay) {
            rounds.add(round);
            delays.add(delay);
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        void runNext() {
            rounds.poll().run();
        }
    }

    @BeforeEach
    void enroll() {
        pki = PkiClient.builder()
                .caUrl(fake.url())
                .root(fake.ca.rootPem())
                .store(dir.resolve("pki"))
                .clock(clock)
                .renewalPolicy(POLICY)
                .build();
        pki.addListener(events);
        fake.tokens.add("hct_t");
        pki.enroll("hct_t", null, null, "svc.internal");
        renewer = new AutoRenewer(pki, POLICY, clock, List.of(events), new Random(7), scheduler);
    }

    @AfterEach
    void close() {
        pki.close();
        fake.close();
    }

    int renewals() {
        return fake.seen("/api/v1/certificates/renew").size();
    }

    static void assertBetween(Duration low, Duration high, Duration actual) {
        assertTrue(
                actual.compareTo(low) >= 0 && actual.compareTo(high) <= 0,
                actual + " not in [" + low + ", " + high + "]");
    }

    @Test
    void renewsAtTwoThirdsOfTheLifetimeNotBefore() {
        String first = pki.credentials().serial();
        assertBetween(Duration.ofMinutes(4), Duration.ofMinutes(5), renewer.step()); // the next poll comes first
        assertEquals(0, renewals());

        clock.set(T0.plus(Duration.ofMinutes(39)));
        assertEquals(Duration.ofMinutes(1), renewer.step(), "one minute before it is due");
        assertEquals(0, renewals());

        clock.set(T0.plus(Duration.ofMinutes(40)));
        assertEquals(Duration.ZERO, renewer.step(), "due: renewed, and the next round at once");
        assertEquals(1, renewals());
        Credentials renewed = pki.credentials();
        assertNotEquals(first, renewed.serial());
        assertEquals(T0.plus(Duration.ofMinutes(40)), renewed.notBefore());
        assertEquals(List.of("renewed " + first + " -> " + renewed.serial()), events.heard);
        assertEquals(renewed.serialNumber(), pki.store().load().orElseThrow().serialNumber(), "and stored");

        assertBetween(Duration.ofMinutes(4), Duration.ofMinutes(5), renewer.step());
        assertEquals(1, renewals(), "the new certificate is due 40 minutes after it starts");
    }

    @Test
    void pollsTheCaOnlyWhenThePollIsDue() {
        Duration wait = renewer.step();
        assertEquals(1, fake.seen("/api/v1/certificates/current").size());
        clock.advance(wait.minusSeconds(1));
        renewer.step();
        assertEquals(1, fake.seen("/api/v1/certificates/current").size(), "not before the poll interval");
        clock.advance(Duration.ofSeconds(1));
        renewer.step();
        assertEquals(2, fake.seen("/api/v1/certificates/current").size());
    }

    @Test
    void theCaSayingNowRenewsAtOnce() {
        fake.renewNow = true;
        assertEquals(Duration.ZERO, renewer.step());
        assertEquals(1, renewals(), "renewed at once, 40 minutes early");
    }

    @Test
    void theCasWindowMovesRenewalEarlierAndA304KeepsIt() {
        fake.renewAfter = T0.plus(Duration.ofMinutes(10));
        fake.renewBefore = T0.plus(Duration.ofMinutes(10));
        assertBetween(Duration.ofMinutes(4), Duration.ofMinutes(5), renewer.step());
        clock.set(T0.plus(Duration.ofMinutes(9)));
        assertEquals(Duration.ofMinutes(1), renewer.step(), "the window, not the own policy's 40 minutes");
        List<FakeCa.Seen> polls = fake.seen("/api/v1/certificates/current");
        assertEquals(2, polls.size());
        assertNull(polls.get(0).headers().get("if-none-match"));
        assertTrue(polls.get(1).headers().get("if-none-match") != null, "the second poll is conditional");
        clock.set(T0.plus(Duration.ofMinutes(10)));
        assertEquals(Duration.ZERO, renewer.step(), "the window the 304 kept");
        assertEquals(1, renewals());
    }

    @Test
    void aNewCertificateIsPolledWithoutTheOldEtag() {
        fake.renewNow = true;
        renewer.step();
        fake.renewNow = false;
        renewer.step();
        List<FakeCa.Seen> polls = fake.seen("/api/v1/certificates/current");
        assertNull(polls.get(polls.size() - 1).headers().get("if-none-match"));
        assertEquals(
                pki.credentials().serialNumber(),
                polls.get(polls.size() - 1).peer().getSerialNumber());
    }

    @Test
    void failuresBackOffDoublingThenResetAfterASuccess() {
        clock.set(T0.plus(Duration.ofMinutes(40)));
        FakeCa.Reply down = FakeCa.Reply.error(503, "hsm_unavailable", "the HSM is down");
        fake.next("/api/v1/certificates/renew", down);
        fake.next("/api/v1/certificates/renew", down);
        fake.next("/api/v1/certificates/renew", down);
        assertBetween(Duration.ofSeconds(4), Duration.ofSeconds(5), renewer.step());
        assertBetween(Duration.ofSeconds(8), Duration.ofSeconds(10), renewer.step());
        assertBetween(Duration.ofSeconds(16), Duration.ofSeconds(20), renewer.step());
        assertEquals(List.of("failed UNAVAILABLE", "failed UNAVAILABLE", "failed UNAVAILABLE"), events.heard);
        assertEquals(Duration.ZERO, renewer.step(), "the fourth attempt renews");
        clock.set(pki.credentials().notBefore().plus(Duration.ofMinutes(40)));
        fake.next("/api/v1/certificates/renew", down);
        assertBetween(Duration.ofSeconds(4), Duration.ofSeconds(5), renewer.step()); // back to the first delay
    }

    @Test
    void theBackoffIsCapped() {
        clock.set(T0.plus(Duration.ofMinutes(40)));
        for (int i = 0; i < 8; i++) {
            fake.next("/api/v1/certificates/renew", FakeCa.Reply.error(503, "hsm_unavailable", "down"));
        }
        Duration last = Duration.ZERO;
        for (int i = 0; i < 8; i++) {
            last = renewer.step();
            assertTrue(last.compareTo(Duration.ofMinutes(1)) <= 0, last.toString());
        }
        assertBetween(Duration.ofSeconds(48), Duration.ofMinutes(1), last);
    }

    @Test
    void aCaThatCannotBeReadLeavesTheOwnPolicyInCharge() {
        fake.next("/api/v1/certificates/current", FakeCa.Reply.error(503, "store_unavailable", "down"));
        assertBetween(Duration.ofMinutes(4), Duration.ofMinutes(5), renewer.step());
        assertEquals(List.of(), events.heard, "a failed poll is no failed renewal");
        clock.set(T0.plus(Duration.ofMinutes(40)));
        fake.next("/api/v1/certificates/current", FakeCa.Reply.error(503, "store_unavailable", "down"));
        assertEquals(Duration.ZERO, renewer.step());
        assertEquals(1, renewals());
    }

    @Test
    void aRevokedCertificateStopsForGood() {
        renewer.start();
        fake.revoked.add(pki.credentials().serialNumber());
        String serial = pki.credentials().serial();
        scheduler.runNext();
        assertEquals(List.of("revoked " + serial), events.heard);
        assertFalse(renewer.running());
        assertTrue(scheduler.rounds.isEmpty(), "no next round");
        assertEquals(0, renewals());
    }

    @Test
    void aRevocationFoundWhileRenewingStopsToo() {
        clock.set(T0.plus(Duration.ofMinutes(40)));
        fake.next("/api/v1/certificates/renew", FakeCa.Reply.error(401, "certificate_revoked", "revoked"));
        assertNull(renewer.step());
        assertEquals(List.of("revoked " + pki.credentials().serial()), events.heard);
    }

    @Test
    void anExpiredCertificateStopsForGood() {
        clock.set(T0.plus(Duration.ofHours(2)));
        assertNull(renewer.step());
        assertEquals(List.of("failed EXPIRED"), events.heard);
        assertEquals(0, renewals());
    }

    @Test
    void roundsFollowEachOtherAtTheDelayEachReturns() {
        renewer.start();
        assertEquals(List.of(Duration.ZERO), scheduler.delays, "the first round at once");
        scheduler.runNext();
        assertBetween(Duration.ofMinutes(4), Duration.ofMinutes(5), scheduler.delays.get(1));
        clock.set(T0.plus(Duration.ofMinutes(40)));
        scheduler.runNext();
        assertEquals(Duration.ZERO, scheduler.delays.get(2), "after a renewal, a round at once");
        assertEquals(1, renewals());
        renewer.stop();
        assertTrue(scheduler.shutdown);
        scheduler.runNext();
        assertEquals(3, scheduler.delays.size(), "a round after stop does nothing");
        assertEquals(2, fake.seen("/api/v1/certificates/current").size());
    }

    @Test
    void aListenerThatThrowsDoesNotStopRenewal() {
        pki.addListener(new RenewalListener() {
            @Override
            public void renewed(Credentials now, Credentials before) {
                throw new IllegalStateException("the service's reload failed");
            }
        });
        fake.renewNow = true;
        renewer.start();
        scheduler.runNext();
        assertEquals(1, renewals());
        assertTrue(renewer.running());
        assertBetween(Duration.ofSeconds(4), Duration.ofSeconds(5), scheduler.delays.get(1));
        assertEquals(1, scheduler.rounds.size(), "the next round is there");
    }

    @Test
    void theRenewedCertificateAsksForTheSameNamesAndLifetime() {
        pki.close();
        fake.tokens.add("hct_v");
        PkiClient two = PkiClient.builder()
                .caUrl(fake.url())
                .root(fake.ca.rootPem())
                .store(dir.resolve("two"))
                .clock(clock)
                .renewalPolicy(POLICY)
                .build();
        two.enroll("hct_v", null, "2h", "two.internal", "10.0.0.7");
        fake.renewNow = true;
        new AutoRenewer(two, POLICY, clock, List.of(), new Random(1), scheduler).step();
        Map<String, Object> asked =
                fake.seen("/api/v1/certificates/renew").get(0).json();
        assertEquals("2h", asked.get("validity"));
        assertEquals(
                List.of("two.internal", "10.0.0.7"),
                TestCa.read((String) asked.get("csr")).names());
    }
}
