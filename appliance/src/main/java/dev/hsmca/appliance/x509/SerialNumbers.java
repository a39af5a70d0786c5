package dev.hsmca.appliance.x509;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Certificate serials: 16 octets, positive, always the same length (so hex serials sort as numbers): the issuance
 * time in milliseconds (46 bits, after a 01 prefix), then 80 random bits (CA/B BR §7.1 wants 64 from a CSPRNG).
 * Time first, as in UUIDv7: new rows land at the right edge of every index keyed by serial instead of in a random
 * leaf, so a commit rewrites one leaf per index rather than one per certificate. The time is no secret (notBefore
 * carries it to the second); the random part keeps serials unguessable.
 */
public final class SerialNumbers {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int OCTETS = 16;
    private static final int TIME_OCTETS = 6;
    private static final long MAX_MILLIS = (1L << 46) - 1; // year 4199

    private SerialNumbers() {}

    /** A leaf certificate's serial: time first. */
    public static BigInteger next() {
        return next(Clock.systemUTC(), RANDOM);
    }

    /**
     * A CA-side certificate's serial (root, issuing, OCSP signer, TLS): 16 random octets, 126 bits, as before time-first
     * serials. These are few, so no index gains from time; and a CA certificate's store id (in its CRL and caIssuers
     * URLs) is its role and the serial's first 8 hex digits, which must differ between CA certificates made seconds
     * apart, and stay what existing deployments derived.
     */
    public static BigInteger random() {
        byte[] b = new byte[OCTETS];
        RANDOM.nextBytes(b);
        return positive(b);
    }

    static BigInteger next(Clock clock, SecureRandom random) {
        long millis = clock.millis();
        if (millis < 0 || millis > MAX_MILLIS) {
            throw new IllegalStateException("clock outside the serial number's range: " + clock.instant());
        }
        byte[] b = new byte[OCTETS];
        random.nextBytes(b);
        for (int i = 0; i < TIME_OCTETS; i++) {
            b[i] = (byte) (millis >>> (8 * (TIME_OCTETS - 1 - i)));
        }
        return positive(b);
    }

    /** The 01 prefix: positive, and the top octet never 0, so always 16 octets (hex serials of one length). */
    private static BigInteger positive(byte[] b) {
        b[0] = (byte) (0x40 | (b[0] & 0x3f));
        return new BigInteger(1, b);
    }
}
