package dev.hsmca.appliance.domain;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Certificate lifetimes as people write them: {@code 10m}, {@code 24h}, {@code 90d} (also {@code 1h30m}). */
public final class Validity {
    private static final Pattern PART = Pattern.compile("(\\d{1,6})([smhd])");
    /** Possessive, and run only below {@link #MAX_TEXT}: a repeated group recursed once per part of a long input. */
    private static final Pattern WHOLE = Pattern.compile("^(?:\\d{1,6}[smhd])++$");
    /** Longer than any lifetime anyone writes ("365d", "1d12h30m"). */
    static final int MAX_TEXT = 32;

    private Validity() {}

    /**
     * The lifetime a request asked for, as {@code validity} ("10m", "24h", "90d") or {@code validity_days}; null when
     * it named none (the grant's default applies).
     */
    public static Duration requested(Integer days, String text) {
        if (days != null && text != null) {
            throw PkiException.malformed("invalid_validity", "give validity or validity_days, not both");
        }
        if (days != null && days < 1) {
            throw PkiException.malformed("invalid_validity", "validity_days must be at least 1");
        }
        return days != null ? Duration.ofDays(days) : text != null ? parse(text) : null;
    }

    /** The duration, or a {@code malformed} refusal naming the accepted forms. */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.length() > MAX_TEXT || !WHOLE.matcher(t).matches()) {
            throw PkiException.malformed(
                    "invalid_validity",
                    "validity must be a duration such as 10m, 24h or 90d (s, m, h, d; at most " + MAX_TEXT
                            + " characters), not '" + Names.printable(text) + "'");
        }
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(
                    switch (m.group(2)) {
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
        }
        return d;
    }

    /** The shortest of those forms that says exactly this duration ({@code 90d}, {@code 36h}, {@code 5m}). */
    public static String format(Duration d) {
        long s = d.toSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
