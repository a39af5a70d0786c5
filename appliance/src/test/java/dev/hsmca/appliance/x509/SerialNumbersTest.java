package dev.hsmca.appliance.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SerialNumbersTest {
    static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    @Test
    void sixteenPositiveOctetsCarryingTheTimeThenEightyRandomBits() {
        Clock clock = at("2026-11-26T09:00:00.123Z");
        BigInteger serial = SerialNumbers.next(clock, new SecureRandom());
        assertEquals(1, serial.signum());
        assertEquals(16, serial.toByteArray().length, "no sign octet needed, none dropped");
        assertEquals(32, serial.toString(16).length());
        assertEquals(clock.millis(), serial.shiftRight(80).clearBit(46).longValue(), "the time, after the 01 prefix");
    }

    @Test
    void laterSerialsSortAfterEarlierOnesAsNumbersAndAsHex() {
        SecureRandom random = new SecureRandom();
        String[] times = {
            "1970-01-01T00:00:00Z",
            "2026-11-26T09:00:00.000Z",
            "2026-11-26T09:00:00.001Z",
            "2039-01-01T00:00:00Z",
            "2200-06-01T00:00:00Z",
            "4199-01-01T00:00:00Z"
        };
        for (int i = 1; i < times.length; i++) {
            for (int n = 0; n < 100; n++) { // whatever the random bits
                BigInteger before = SerialNumbers.next(at(times[i - 1]), random);
                BigInteger after = SerialNumbers.next(at(times[i]), random);
                assertTrue(after.compareTo(before) > 0, times[i]);
                assertTrue(after.toString(16).compareTo(before.toString(16)) > 0, "hex serials of one length sort too");
            }
        }
    }

    @Test
    void serialsInTheSameMillisecondDifferInTheirRandomBits() {
        Clock clock = at("2026-11-26T09:00:00Z");
        SecureRandom random = new SecureRandom();
        Set<BigInteger> randomParts = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            BigInteger serial = SerialNumbers.next(clock, random);
            randomParts.add(serial.subtract(serial.shiftRight(80).shiftLeft(80)));
        }
        assertEquals(10_000, randomParts.size());
        // every one of the 80 random bits is used (each is set in some serial and clear in another)
        BigInteger or = BigInteger.ZERO;
        BigInteger and = BigInteger.ONE.shiftLeft(80).subtract(BigInteger.ONE);
        for (BigInteger part : randomParts) {
            or = or.or(part);
            and = and.and(part);
        }
        assertEquals(80, or.bitCount());
        assertEquals(0, and.bitCount());
    }

    @Test
    void aClockOutsideTheRangeIsRefused() {
        assertThrows(
                IllegalStateException.class, () -> SerialNumbers.next(at("4300-01-01T00:00:00Z"), new SecureRandom()));
        assertThrows(
                IllegalStateException.class, () -> SerialNumbers.next(at("1969-12-31T23:59:59Z"), new SecureRandom()));
    }

    @Test
    void caSerialsAreRandomFromTheirFirstDigitsOn() {
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            BigInteger serial = SerialNumbers.random();
            assertEquals(16, serial.toByteArray().length);
            prefixes.add(serial.toString(16).substring(0, 8)); // what a CA certificate's store id is made of
        }
        assertTrue(prefixes.size() > 990, "CA certificates made together get distinct ids: " + prefixes.size());
    }
}
