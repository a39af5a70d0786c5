package dev.hsmca.ocsp;

import dev.hsmca.ocsp.source.Answer;
import dev.hsmca.ocsp.source.IssuerFilter;
import dev.hsmca.ocsp.source.OcspQuery;
import dev.hsmca.ocsp.source.RequestParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled chain: parse → filter → (cache →) pre-signed or live. A request with a nonce goes to the live
 * chain when there is one. A store that does not answer gives {@code tryLater}, never an exception.
 */
public final class Responder {
    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    private final IssuerFilter main;
    private final IssuerFilter nonceChain;

    public Responder(IssuerFilter main, IssuerFilter nonceChain) {
        this.main = main;
        this.nonceChain = nonceChain;
    }

    public Answer answer(byte[] der) {
        OcspQuery query;
        try {
            query = RequestParser.parse(der);
        } catch (RequestParser.Malformed e) {
            return Answer.error(Answer.MALFORMED);
        }
        return answer(query);
    }

    public Answer answer(OcspQuery query) {
        try {
            return (query.nonce() != null && nonceChain != null ? nonceChain : main).respond(query);
        } catch (RuntimeException e) {
            LOG.warn("OCSP answer failed, replying tryLater: {}", e.toString());
            return Answer.error(Answer.TRY_LATER);
        }
    }
}
