package dev.hsmca.appliance.web.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Stateless nonces: each accepted once, by any instance with the same key and by none with another; expired,
 * future-dated, altered and foreign ones refused; a bounded memory that, when full, refuses rather than forgets.
 */
class AcmeNoncesTest {
    final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    final byte[] key = "a key shared by every replica...".getBytes(StandardCharsets.US_ASCII);

    AcmeNonces nonces(byte[] key, int capacity) {
        return new AcmeNonces(() -> key, clock, capacity);
    }

    @Test
    void eachNonceWorksOnceAtAnyReplicaWithTheKey() {
        AcmeNonces a = nonces(key, 1000);
        AcmeNonces b = nonces(key.clone(), 1000);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            assertTrue(seen.add(a.next()), "unique");
        }
        String n = a.next();
        assertTrue(b.use(n), "another replica with the shared key takes it");
        assertFalse(b.use(n), "once");
        String m = a.next();
        assertTrue(a.use(m));
        assertFalse(a.use(m));
        assertFalse(
                nonces("another key, another appliance..".getBytes(StandardCharsets.UTF_8), 1000)
                        .use(a.next()),
                "not another CA's key");
    }

    @Test
    void alteredForeignExpiredAndFutureNoncesAreRefused() {
        AcmeNonces a = nonces(key, 1000);
        byte[] raw = Base64.getUrlDecoder().decode(a.next());
        for (int i : new int[] {0, 5, 12, 40}) {
            byte[] altered = raw.clone();
            altered[i] ^= 1;
            assertFalse(
                    a.use(Base64.getUrlEncoder().withoutPadding().encodeToString(altered)), "byte " + i + " altered");
        }
        for (String junk :
                new String[] {null, "", "bm90LWEtbm9uY2U", "!".repeat(55), "A".repeat(55), "A".repeat(4000)}) {
            assertFalse(a.use(junk), String.valueOf(junk));
        }
        String old = a.next();
        clock.advance(AcmeNonces.LIFETIME);
        assertFalse(a.use(old), "expired");
        String fresh = a.next();
        clock.advance(AcmeNonces.LIFETIME.minusSeconds(1));
        assertTrue(a.use(fresh), "within its lifetime");

        // issued by a replica whose clock is ahead: a little is tolerated, more is not
        AcmeNonces ahead = nonces(key, 1000);
        clock.advance(Duration.ofMinutes(5));
        String fromTheFuture = ahead.next();
        clock.advance(Duration.ofMinutes(-5));
        assertFalse(a.use(fromTheFuture));
        clock.advance(AcmeNonces.SKEW.minusSeconds(1));
        String slightlyAhead = ahead.next();
        clock.advance(AcmeNonces.SKEW.minusSeconds(1).negated());
        assertTrue(a.use(slightlyAhead));
    }

    @Test
    void aFullMemoryRefusesOlderNoncesRatherThanAcceptTwice() {
        AcmeNonces a = nonces(key, 10);
        List<String> early = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            early.add(a.next());
        }
        clock.advance(Duration.ofSeconds(1));
        List<String> late = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            late.add(a.next());
        }
        assertTrue(a.use(early.get(0)));
        for (int i = 0; i < 11; i++) {
            assertTrue(a.use(late.get(i)));
        }
        // 12 remembered > 10: the oldest were forgotten, and every nonce issued up to them is refused, used or not
        assertFalse(a.use(early.get(0)), "never twice");
        assertFalse(a.use(early.get(1)), "an unused nonce as old as forgotten ones: refused (the client retries)");
        for (int i = 0; i < 11; i++) {
            assertFalse(a.use(late.get(i)), "still never twice");
        }
        assertFalse(a.use(late.get(15)), "issued in the same millisecond as a forgotten one");
        clock.advance(Duration.ofMillis(1));
        assertTrue(a.use(a.next()), "a newer nonce works");
    }

    @Test
    void theKeyIsAskedForOnce() {
        AtomicInteger asked = new AtomicInteger();
        Supplier<byte[]> source = () -> {
            asked.incrementAndGet();
            return key;
        };
        AcmeNonces a = new AcmeNonces(source, clock, 1000);
        for (int i = 0; i < 50; i++) {
            assertTrue(a.use(a.next()));
        }
        assertEquals(1, asked.get());
    }
}
