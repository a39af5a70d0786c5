package dev.hsmca.ocsp.responder;

import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.IssuerFilter;
import dev.hsmca.ocsp.source.OcspQuery;
import dev.hsmca.ocsp.source.RequestParser;
import dev.hsmca.ocsp.source.ResponseStatus;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled chain: parse → filter → (cache →) pre-signed or live. A request with a nonce goes to the live
 * chain when there is one. A store that does not answer gives {@code tryLater}, never an exception.
 * <p>
 * With a lane, {@link #answerAsync} keeps the HSM and the store off the caller's thread (an event loop): a pre-signed
 * answer held in memory ({@code keyless}) is returned at once; anything that may sign or read the store goes to the
 * {@link LiveLane}, whose fallback is that answer (without the nonce) or {@code tryLater}. Without one (an HSM in the
 * process, SoftHSM), everything is worked out on the caller's thread.
 */
public final class Responder {
    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    private final IssuerFilter main;
    private final IssuerFilter nonceChain;
    private final IssuerFilter keyless;
    private final LiveLane lane;

    /** Every answer worked out on the caller's thread. */
    public Responder(IssuerFilter main, IssuerFilter nonceChain) {
        this(main, nonceChain, null, null);
    }

    /**
     * @param keyless the pre-signed chain alone, from memory (never signs, never reads the store), or null (live mode)
     * @param lane    where answers that may sign or read the store are worked out
     */
    public Responder(IssuerFilter main, IssuerFilter nonceChain, IssuerFilter keyless, LiveLane lane) {
        this.main = main;
        this.nonceChain = nonceChain;
        this.keyless = keyless;
        this.lane = lane;
    }

    /** The answer, worked out on this thread (the HSM included). */
    public Answer answer(OcspQuery query) {
        return respond(query.nonce() != null && nonceChain != null ? nonceChain : main, query);
    }

    public CompletableFuture<Answer> answerAsync(byte[] der) {
        try {
            return answerAsync(RequestParser.parse(der));
        } catch (RequestParser.Malformed e) {
            return CompletableFuture.completedFuture(Answer.error(ResponseStatus.MALFORMED_REQUEST));
        }
    }

    /** The answer: done at once when it needs no HSM, else from the lane (which has a fallback for a slow HSM). */
    public CompletableFuture<Answer> answerAsync(OcspQuery query) {
        if (lane == null) {
            return CompletableFuture.completedFuture(answer(query));
        }
        if (query.nonce() == null || nonceChain == null) {
            Answer presigned = presigned(query);
            if (presigned != null) {
                return CompletableFuture.completedFuture(presigned);
            }
            // nothing pre-signed was found just now: a slow HSM or a full lane gets tryLater without a second look
            return lane.submit(() -> answer(query), () -> Answer.error(ResponseStatus.TRY_LATER));
        }
        // a nonce: when the HSM is too slow or the lane full, the pre-signed answer if there is one, else tryLater
        return lane.submit(() -> answer(query), () -> {
            Answer presigned = presigned(query);
            return presigned != null ? presigned : Answer.error(ResponseStatus.TRY_LATER);
        });
    }

    /** The pre-signed answer held in memory, or null (none, or no keyless chain: live mode). */
    private Answer presigned(OcspQuery query) {
        if (keyless == null) {
            return null;
        }
        Answer a = respond(keyless, query);
        return a.successful() ? a : null;
    }

    private static Answer respond(IssuerFilter chain, OcspQuery query) {
        try {
            return chain.respond(query);
        } catch (RuntimeException e) {
            LOG.warn("OCSP answer failed, replying tryLater: {}", e.toString());
            return Answer.error(ResponseStatus.TRY_LATER);
        }
    }
}
