package dev.hsmca.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Date;
import java.util.Random;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;

/** The fast times encode exactly as BouncyCastle's Date constructors, across the UTCTime/GeneralizedTime edges. */
class Asn1TimesTest {
    @Test
    void sameEncodingAsBouncyCastle() throws Exception {
        String[] edges = {
            "1949-12-31T23:59:59Z",
            "1950-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "2000-02-29T12:00:00Z",
            "2026-11-26T10:30:05Z",
            "2049-12-31T23:59:59Z",
            "2050-01-01T00:00:00Z",
            "2999-12-31T23:59:59Z",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "2026-11-26T10:30:05.123Z",
            "2026-11-26T10:30:05.100Z"
        };
        for (String e : edges) {
            check(Instant.parse(e));
        }
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) { // 1900 to 2200, whole seconds
            check(Instant.ofEpochSecond(-2_208_988_800L + (long) (random.nextDouble() * 9_467_280_000L)));
        }
    }

    @SuppressWarnings("JavaInstantGetSecondsGetNano") // only whether t is a whole second matters here
    static void check(Instant t) throws Exception {
        assertArrayEquals(
                new ASN1GeneralizedTime(Date.from(t)).getEncoded(),
                Asn1Times.generalized(t).getEncoded(),
                t.toString());
        assertArrayEquals(new Time(Date.from(t)).getEncoded(), Asn1Times.time(t).getEncoded(), t.toString());
        if (t.getNano() == 0) {
            assertEquals(Date.from(t), Asn1Times.generalized(t).getDate(), t.toString());
        }
    }
}
