package dev.hsmca.appliance.domain;

import java.time.Duration;
import java.util.Locale;

/**
 * Checks for configuration records, called from their constructors: a bad value stops the start with a message
 * that names the key.
 */
public final class Settings {
    private Settings() {}

    public static final class Invalid extends IllegalArgumentException {
        public Invalid(String key, String problem) {
            super("invalid setting " + key + ": " + problem);
        }
    }

    public static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new Invalid(key, value + " is below the minimum " + min);
        }
    }

    public static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new Invalid(key, "must be a positive duration such as 10s or 5m, not " + value);
        }
    }

    public static void notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new Invalid(key, "must not be empty");
        }
    }

    /** The value parsed as one of the enum's constants, named in lower case with dashes ({@code live-for-nonce}). */
    public static <E extends Enum<E>> E oneOf(String key, String value, Class<E> type) {
        if (value != null) {
            for (E e : type.getEnumConstants()) {
                if (e.name().replace('_', '-').equalsIgnoreCase(value.trim())) {
                    return e;
                }
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : ", ")
                    .append(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new Invalid(key, "'" + value + "' is not one of " + allowed);
    }
}
