package dev.hsmca.ocsp.source;

import dev.hsmca.core.ocsp.OcspResponses;
import java.time.Instant;
import java.util.Locale;

/**
 * An OCSP response ready to send. {@code status} is its OCSPResponseStatus; times are those of the single response,
 * for caching. {@code certStatus} names the certificate's status ({@code good}, {@code revoked}, {@code unknown},
 * {@code multiple}), or the error, for the metrics. {@code held}: {@code der} is an array held in memory and served
 * again as it is, so what is derived from it may be kept with it.
 */
public record Answer(
        byte[] der,
        ResponseStatus status,
        Instant thisUpdate,
        Instant nextUpdate,
        Mode mode,
        String certStatus,
        boolean held) {

    /** How the answer was made; {@code tag} is its name in {@code pki_ocsp_responses_total{mode}}. */
    public enum Mode {
        /** Signed by the appliance ahead of time. */
        PRESIGNED,
        /** Signed by this responder through the HSM. */
        LIVE,
        /** An unsigned error response. */
        ERROR;

        private final String tag = name().toLowerCase(Locale.ROOT);

        public String tag() {
            return tag;
        }
    }

    public Answer(
            byte[] der, ResponseStatus status, Instant thisUpdate, Instant nextUpdate, Mode mode, String certStatus) {
        this(der, status, thisUpdate, nextUpdate, mode, certStatus, false);
    }

    /** The unsigned response of an error status (any but {@code successful}). */
    public static Answer error(ResponseStatus status) {
        if (status == ResponseStatus.SUCCESSFUL) {
            throw new IllegalArgumentException("an error answer needs an error status");
        }
        return new Answer(OcspResponses.error(status.code()), status, null, null, Mode.ERROR, status.tag());
    }

    public boolean successful() {
        return status == ResponseStatus.SUCCESSFUL;
    }
}
