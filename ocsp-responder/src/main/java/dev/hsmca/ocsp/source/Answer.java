package dev.hsmca.ocsp.source;

import dev.hsmca.core.ocsp.OcspResponses;

import java.time.Instant;

/**
 * An OCSP response ready to send. {@code status} is the OCSPResponseStatus (0 successful, 1 malformedRequest,
 * 2 internalError, 3 tryLater, 6 unauthorized); times are those of the single response, for caching. {@code held}:
 * {@code der} is an array held in memory and served again as it is, so what is derived from it may be kept with it.
 */
public record Answer(byte[] der, int status, Instant thisUpdate, Instant nextUpdate, String mode, String certStatus,
                     boolean held) {
    public static final int MALFORMED = 1;
    public static final int INTERNAL_ERROR = 2;
    public static final int TRY_LATER = 3;
    public static final int UNAUTHORIZED = 6;

    public Answer(byte[] der, int status, Instant thisUpdate, Instant nextUpdate, String mode, String certStatus) {
        this(der, status, thisUpdate, nextUpdate, mode, certStatus, false);
    }

    public static Answer error(int status) {
        String name = switch (status) {
            case MALFORMED -> "malformed_request";
            case TRY_LATER -> "try_later";
            case UNAUTHORIZED -> "unauthorized";
            default -> "internal_error";
        };
        return new Answer(OcspResponses.error(status), status, null, null, "error", name);
    }

    public boolean successful() {
        return status == 0;
    }
}
