package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static Credentials credentials(Duration life, long serial) throws Exception {
        KeyPair pair = KeyType.EC_P256.generate();
        X509Certificate c = TestCertificates.selfSigned(pair, T0, T0.plus(life), BigInteger.valueOf(serial));
        return new Credentials(pair.getPrivate(), c, List.of());
    }

    @Test
    void twoThirdsWithJitterEarlierNeverLater() throws Exception {
        RenewalPolicy p = RenewalPolicy.defaults();
        for (long serial = 1; serial < 50; serial++) {
            Credentials c = credentials(Duration.ofDays(90), serial);
            Instant due = p.due(c);
            Instant twoThirds = T0.plus(Duration.ofDays(60));
            assertFalse(due.isAfter(twoThirds), "never after 2/3");
            assertTrue(
                    due.isAfter(twoThirds
                            .minus(Duration.ofDays(90).multipliedBy(5).dividedBy(100))
                            .minusSeconds(1)),
                    "at most 5 % of the lifetime earlier");
            assertEquals(due, p.due(c), "stable for one certificate");
        }
    }

    @Test
    void aFixedTimeBeforeExpiry() throws Exception {
        Credentials c = credentials(Duration.ofDays(30), 7);
        Instant due = RenewalPolicy.defaults().withBefore(Duration.ofDays(7)).due(c);
        assertTrue(
                !due.isAfter(T0.plus(Duration.ofDays(23))) && due.isAfter(T0.plus(Duration.ofDays(21))),
                due.toString());
    }

    @Test
    void theCasWindowWinsWhenEarlier() throws Exception {
        Credentials c = credentials(Duration.ofDays(90), 9);
        RenewalPolicy p = RenewalPolicy.defaults();
        Instant start = T0.plus(Duration.ofDays(10));
        Instant due = p.due(c, start, start.plus(Duration.ofHours(1)));
        assertTrue(!due.isBefore(start) && !due.isAfter(start.plus(Duration.ofMinutes(30))), due.toString());
        assertEquals(
                p.due(c),
                p.due(c, T0.plus(Duration.ofDays(80)), T0.plus(Duration.ofDays(85))),
                "own policy when earlier");
    }

    @Test
    void backoffDoublesUpToTheCap() {
        RenewalPolicy p = RenewalPolicy.defaults().withBackoff(Duration.ofSeconds(5), Duration.ofMinutes(1));
        Random r = new Random(1);
        Duration previous = Duration.ZERO;
        for (int attempt = 1; attempt <= 10; attempt++) {
            Duration d = p.backoff(attempt, r);
            assertTrue(d.compareTo(Duration.ofMinutes(1)) <= 0, "capped");
            assertTrue(d.compareTo(Duration.ofSeconds(4)) >= 0, "at least base minus jitter");
            if (attempt <= 4) {
                assertTrue(d.compareTo(previous) > 0, "grows");
            }
            previous = d;
        }
    }

    @Test
    void badPoliciesAreRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> RenewalPolicy.defaults().withFraction(1.2));
        assertThrows(
                IllegalArgumentException.class, () -> RenewalPolicy.defaults().withPollInterval(Duration.ZERO));
    }
}
