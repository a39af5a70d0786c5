package dev.hsmca.ocsp;

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
 */
@ConfigurationProperties("pki.ocsp")
public record ResponderConfig(@Bindable(defaultValue = "presigned") String mode,
                              @Bindable(defaultValue = "true") boolean liveForNonce,
                              @Bindable(defaultValue = "delegated") String signer,
                              @Bindable(defaultValue = "96") int validityHours,
                              @Bindable(defaultValue = "60") int cacheSeconds,
                              @Bindable(defaultValue = "100000") int cacheEntries) {
    public ResponderConfig {
        if (!"presigned".equals(mode) && !"live".equals(mode)) {
            throw new IllegalArgumentException("invalid setting pki.ocsp.mode: '" + mode + "' is not one of presigned, live");
        }
        if (!"delegated".equals(signer) && !"ca".equals(signer)) {
            throw new IllegalArgumentException("invalid setting pki.ocsp.signer: '" + signer + "' is not one of delegated, ca");
        }
        if (validityHours < 1 || cacheSeconds < 0 || cacheEntries < 0) {
            throw new IllegalArgumentException("invalid setting pki.ocsp: validity-hours must be at least 1, "
                    + "cache-seconds and cache-entries at least 0");
        }
    }

    public boolean live() {
        return "live".equals(mode);
    }
}
