package dev.hsmca.appliance.oidc;

import dev.hsmca.appliance.domain.Delegation;
import java.util.Arrays;
import java.util.Locale;

/** What an OIDC rule grants (the {@code grants} of {@code pki.oidc.rules.<name>}). */
enum OidcPermission {
    /** Everything the administrator's mTLS credential may do. */
    ADMIN(null),
    /** Create install tokens, within the rule's services and DNS names. */
    INSTALL_TOKENS(Delegation.Kind.INSTALL_TOKEN),
    /** Create enrollment keys, within the rule's services and DNS names. */
    ENROLL_KEYS(Delegation.Kind.ENROLL_KEY);

    final Delegation.Kind creates;

    OidcPermission(Delegation.Kind creates) {
        this.creates = creates;
    }

    String text() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static OidcPermission parse(String text) {
        return Arrays.stream(values())
                .filter(p -> p.text().equals(text == null ? "" : text.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown grant '" + text + "', expected one of "
                        + Arrays.stream(values()).map(OidcPermission::text).toList()));
    }
}
