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
 * With lanes, {@link #answerAsync} keeps the store and the HSM off the caller's thread (an event loop): a pre-signed
 * answer held in memory ({@code keyless}) is returned at once; one the store holds is read on the store lane; only
 * what has none goes to the HSM lane, so a slow HSM holds up signatures alone. A nonce is signed on the HSM lane, and
 * when that is full or too slow gets the pre-signed answer without it (RFC 5019 allows it), else {@code tryLater}.
 * With an HSM in the process (SoftHSM) a nonce is signed on the caller's thread: no hop is cheaper than one.
 */
public final class Responder {
    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    private final IssuerFilter main;
    private final IssuerFilter nonceChain;
    private final IssuerFilter keyless;
    private final IssuerFilter stored;
    private final LiveLane storeLane;
    private final LiveLane hsmLane;

    /** Every answer worked out on the caller's thread. */
    public Responder(IssuerFilter main, IssuerFilter nonceChain) {
        this(main, nonceChain, null, null, null, null);
    }

    /**
     * @param keyless   the pre-signed chain from memory alone (never signs, never reads the store), or null (live mode)
     * @param stored    the pre-signed chain reading the store (never signs), or null (live mode)
     * @param storeLane where {@code stored} and, without an HSM, {@code main} run; null in live mode
     * @param hsmLane   where answers that may sign run; null without an HSM, or with one in the process (SoftHSM:
     *                  a nonce is signed on the caller's thread, other signatures on the store lane)
     */
    public Responder(
            IssuerFilter main,
            IssuerFilter nonceChain,
            IssuerFilter keyless,
            IssuerFilter stored,
            LiveLane storeLane,
            LiveLane hsmLane) {
        this.main = main;
        this.nonceChain = nonceChain;
        this.keyless = keyless;
        this.stored = stored;
        this.storeLane = storeLane;
        this.hsmLane = hsmLane;
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

    /** The answer: at once when it is held in memory, else from the lanes (each with its fallback). */
    public CompletableFuture<Answer> answerAsync(OcspQuery query) {
        if (storeLane == null && hsmLane == null) {
            return CompletableFuture.completedFuture(answer(query));
        }
        if (query.nonce() != null && nonceChain != null) {
            if (hsmLane == null) {
                return CompletableFuture.completedFuture(answer(query)); // an HSM in the process: signed here
            }
            // signed for its nonce; when the HSM is too slow or its lane full, the pre-signed answer without it
            return hsmLane.submit(() -> answer(query), () -> null)
                    .thenCompose(a -> a != null ? CompletableFuture.completedFuture(a) : presignedAnywhere(query));
        }
        Answer held = successful(keyless, query);
        if (held != null) {
            return CompletableFuture.completedFuture(held);
        }
        if (hsmLane == null) {
            return storeLane.submit(() -> answer(query), Responder::tryLater);
        }
        if (stored == null) { // live mode: every answer is signed
            return hsmLane.submit(() -> answer(query), Responder::tryLater);
        }
        // what the store holds pre-signed first, with no signature: a slow HSM never holds it up
        return storeLane
                .submit(() -> respond(stored, query), Responder::tryLater)
                .thenCompose(a -> a.successful()
                        ? CompletableFuture.completedFuture(a)
                        : hsmLane.submit(() -> answer(query), Responder::tryLater));
    }

    /** The pre-signed answer from memory, else from the store on its lane, else tryLater. */
    private CompletableFuture<Answer> presignedAnywhere(OcspQuery query) {
        Answer held = successful(keyless, query);
        if (held != null || stored == null || storeLane == null) {
            return CompletableFuture.completedFuture(held != null ? held : tryLater());
        }
        return storeLane.submit(
                () -> {
                    Answer a = successful(stored, query);
                    return a != null ? a : tryLater();
                },
                Responder::tryLater);
    }

    private static Answer tryLater() {
        return Answer.error(ResponseStatus.TRY_LATER);
    }

    /** The chain's answer when it is a successful one, else null (none, or no such chain). */
    private static Answer successful(IssuerFilter chain, OcspQuery query) {
        if (chain == null) {
            return null;
        }
        Answer a = respond(chain, query);
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
