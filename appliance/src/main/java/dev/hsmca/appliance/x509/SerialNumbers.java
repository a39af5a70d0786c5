package dev.hsmca.appliance.x509;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Certificate serials: 16 random octets, positive, 126+ bits of entropy (CA/B BR §7.1 wants 64). */
public final class SerialNumbers {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SerialNumbers() {
    }

    public static BigInteger next() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        b[0] &= 0x7f;  // positive
        b[0] |= 0x40;  // and always 16 octets long, so hex serials have one length
        return new BigInteger(1, b);
    }
}
