package dev.hsmca.appliance.store;

import java.util.Locale;
import java.util.Optional;

/** Where an install token is in its life; the API writes it in lower case. */
public enum TokenState {
    UNUSED,
    USED,
    EXPIRED,
    REVOKED;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TokenState> parse(String text) {
        for (TokenState s : values()) {
            if (s.text().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
