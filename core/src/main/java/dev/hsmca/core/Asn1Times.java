package dev.hsmca.core;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.Time;

/**
 * ASN.1 times from whole-second instants without BouncyCastle's {@code Date} constructors, which build a
 * {@code SimpleDateFormat} for every time: three per OCSP response and two per certificate were the largest
 * single cost of a live OCSP answer after the signature. The encoding is the one BouncyCastle gives a whole-second
 * time (RFC 5280: seconds, Z, no fraction); a GeneralizedTime with a fraction takes BouncyCastle's own path.
 */
public final class Asn1Times {
    private static final long FROM_1900 = -2_208_988_800L;
    private static final long TO_9999 = 253_402_300_799L;

    private Asn1Times() {}

    /** GeneralizedTime, YYYYMMDDHHMMSSZ. */
    public static ASN1GeneralizedTime generalized(Instant t) {
        if (t.getNano() != 0 || t.getEpochSecond() < FROM_1900 || t.getEpochSecond() > TO_9999) {
            // fractions, and years before 1900 (Date's calendar is Julian before 1582) or after 9999: as before
            return new ASN1GeneralizedTime(Date.from(t));
        }
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        byte[] der = new byte[17];
        der[0] = 0x18;
        der[1] = 15;
        digits(der, 2, d.getYear(), 4);
        twoDigitFields(der, 6, d);
        der[16] = 'Z';
        return ASN1GeneralizedTime.getInstance(der);
    }

    /**
     * RFC 5280 §4.1.2.5: UTCTime (YYMMDDHHMMSSZ) for 1950–2049, GeneralizedTime otherwise, to the second (a fraction
     * is dropped), as {@code new Time(Date)}.
     */
    public static Time time(Instant instant) {
        Instant t = instant.truncatedTo(ChronoUnit.SECONDS);
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = d.getYear();
        if (year < 1950 || year > 2049) {
            return new Time(generalized(t));
        }
        byte[] der = new byte[15];
        der[0] = 0x17;
        der[1] = 13;
        digits(der, 2, year % 100, 2);
        twoDigitFields(der, 4, d);
        der[14] = 'Z';
        return new Time(ASN1UTCTime.getInstance(der));
    }

    private static void twoDigitFields(byte[] der, int at, LocalDateTime d) {
        digits(der, at, d.getMonthValue(), 2);
        digits(der, at + 2, d.getDayOfMonth(), 2);
        digits(der, at + 4, d.getHour(), 2);
        digits(der, at + 6, d.getMinute(), 2);
        digits(der, at + 8, d.getSecond(), 2);
    }

    private static void digits(byte[] der, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            der[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
