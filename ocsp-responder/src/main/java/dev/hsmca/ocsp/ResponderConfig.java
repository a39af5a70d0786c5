package dev.hsmca.ocsp;

import dev.hsmca.core.CaRole;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * @param mode            {@code presigned}: serve what the appliance signed, no key needed; {@code live}: sign
 *                        every answer through the HSM
 * @param liveForNonce    with an HSM, answer requests that carry a nonce live (echoing it) even in presigned mode
 * @param signer          {@code delegated} (the OCSP signing certificate) or {@code ca} (the issuing CA's key)
 * @param validityHours   nextUpdate of live answers
 * @param cacheSeconds    how long a live-signed answer may be reused for an unchanged status; 0 turns it off
 * @param cacheEntries    cache bound
 * @param presignedCacheEntries pre-signed responses held in memory, and as many certificate statuses when this
 *                        responder signs (PostgreSQL only, kept true by its change feed; about 1 KiB each); 0 reads
 *                        the store on every request
 */
@ConfigurationProperties("pki.ocsp")
public record ResponderConfig(@Bindable(defaultValue = "presigned") String mode,
                              @Bindable(defaultValue = "true") boolean liveForNonce,
                              @Bindable(defaultValue = "delegated") String signer,
                              @Bindable(defaultValue = "96") int validityHours,
                              @Bindable(defaultValue = "60") int cacheSeconds,
                              @Bindable(defaultValue = "100000") int cacheEntries,
                              @Bindable(defaultValue = "20000") int presignedCacheEntries) {

    /** Where answers come from. */
    public enum Mode {
        /** The responses the appliance signed ahead of time: no key at the edge. */
        PRESIGNED,
        /** Signed per request through the HSM. */
        LIVE
    }

    /** Which key signs live answers. */
    public enum Signer {
        /** The delegated OCSP signing certificate (id-kp-OCSPSigning). */
        DELEGATED,
        /** The issuing CA's own key. */
        CA;

        /** The CA role, and so the key alias, this signer uses. */
        public CaRole role() {
            return this == CA ? CaRole.ISSUING : CaRole.OCSP;
        }
    }

    public ResponderConfig {
        // parsed here, strictly: a typo stops the start, naming the key (a bound enum would fall back silently)
        parse("pki.ocsp.mode", mode, Mode.class);
        parse("pki.ocsp.signer", signer, Signer.class);
        if (validityHours < 1 || cacheSeconds < 0 || cacheEntries < 0 || presignedCacheEntries < 0) {
            throw new IllegalArgumentException("invalid setting pki.ocsp: validity-hours must be at least 1, "
                    + "cache-seconds, cache-entries and presigned-cache-entries at least 0");
        }
    }

    public Mode ocspMode() {
        return parse("pki.ocsp.mode", mode, Mode.class);
    }

    public Signer signerKey() {
        return parse("pki.ocsp.signer", signer, Signer.class);
    }

    public boolean live() {
        return ocspMode() == Mode.LIVE;
    }

    private static <E extends Enum<E>> E parse(String key, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return e;
            }
        }
        throw new IllegalArgumentException("invalid setting " + key + ": '" + value + "' is not one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase()).toList());
    }
}
