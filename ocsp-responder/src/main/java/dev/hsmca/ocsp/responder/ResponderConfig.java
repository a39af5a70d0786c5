package dev.hsmca.ocsp.responder;

import dev.hsmca.core.CaRole;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The responder's settings, {@code pki.ocsp.*}.
 *
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
 * @param liveThreads     threads that may call the HSM at once, off the event loops; 0 calls it on the event loops
 *                        (fastest, for an in-process HSM); -1 (default): 0 with SoftHSM, else two per core
 * @param liveQueue       answers that may wait for one of them; more get the fallback at once
 * @param liveTimeout     how long an answer may wait for the HSM before it gets the fallback (the pre-signed answer
 *                        without the nonce, else tryLater)
 * @param httpMaxAge      how long an HTTP cache may keep a GET answer ({@code max-age}, {@code Expires}), at most until
 *                        its nextUpdate: a revocation reaches clients behind a cache within this time, not at nextUpdate
 */
@ConfigurationProperties("pki.ocsp")
public record ResponderConfig(
        @Bindable(defaultValue = "presigned") String mode,
        @Bindable(defaultValue = "true") boolean liveForNonce,
        @Bindable(defaultValue = "delegated") String signer,
        @Bindable(defaultValue = "96") int validityHours,
        @Bindable(defaultValue = "60") int cacheSeconds,
        @Bindable(defaultValue = "100000") int cacheEntries,
        @Bindable(defaultValue = "20000") int presignedCacheEntries,
        @Bindable(defaultValue = "-1") int liveThreads,
        @Bindable(defaultValue = "1000") int liveQueue,
        @Bindable(defaultValue = "2s") Duration liveTimeout,
        @Bindable(defaultValue = "1h") Duration httpMaxAge) {

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
        if (validityHours < 1
                || cacheSeconds < 0
                || cacheEntries < 0
                || presignedCacheEntries < 0
                || liveThreads < -1
                || liveQueue < 1
                || liveTimeout == null
                || liveTimeout.isNegative()
                || liveTimeout.isZero()
                || httpMaxAge == null
                || httpMaxAge.isNegative()) {
            throw new IllegalArgumentException(
                    "invalid setting pki.ocsp: validity-hours, live-queue must be at least 1, "
                            + "cache-seconds, cache-entries, presigned-cache-entries at least 0, live-threads at least -1, "
                            + "live-timeout positive, http-max-age at least 0");
        }
    }

    public Mode ocspMode() {
        return parse("pki.ocsp.mode", mode, Mode.class);
    }

    public Signer signerKey() {
        return parse("pki.ocsp.signer", signer, Signer.class);
    }

    /**
     * The lane's threads: as set; by default none for SoftHSM (a library in this process, reading local files: the
     * lane's two thread hops halved live answers at 2 connections in OcspBench), two per core for any other HSM
     * (a network HSM can stop answering, and PKCS#11 calls have no timeout).
     */
    public int laneThreads(String hsmLibrary) {
        if (liveThreads >= 0) {
            return liveThreads;
        }
        boolean inProcess = hsmLibrary != null && hsmLibrary.endsWith("libsofthsm2.so");
        return inProcess ? 0 : 2 * Runtime.getRuntime().availableProcessors();
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
                + Arrays.stream(type.getEnumConstants())
                        .map(c -> c.name().toLowerCase(Locale.ROOT))
                        .toList());
    }
}
