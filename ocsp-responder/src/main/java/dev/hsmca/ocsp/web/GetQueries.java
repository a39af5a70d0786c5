package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.source.OcspQuery;
import dev.hsmca.ocsp.source.RequestParser;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * RFC 5019 GET paths already parsed: a relying party asks the same GET for a certificate until the answer's
 * max-age runs out, and the base64 and ASN.1 decoding of it was the largest part of a pre-signed GET's work and
 * garbage (the OCSP bench's profile). A direct-mapped table by the path's hash: a hit is one read and a string
 * compare; a slot is overwritten by the next path that maps to it, so at most {@link #SLOTS} queries are kept. Only
 * the parse is kept, never an answer: each request is still answered from the store's current state.
 */
final class GetQueries {
    static final int SLOTS = 1024;

    private record Parsed(String uri, OcspQuery query) {}

    private final AtomicReferenceArray<Parsed> slots = new AtomicReferenceArray<>(SLOTS);

    /** The query of a GET whose path is an OCSP request, else null (the router decides what it is). */
    OcspQuery of(String uri) {
        if (uri.indexOf('?') >= 0) {
            return parse(uri); // not kept: a query string would let one path take every slot
        }
        int slot = uri.hashCode() & (SLOTS - 1);
        Parsed p = slots.get(slot);
        if (p != null && p.uri().equals(uri)) {
            return p.query();
        }
        OcspQuery q = parse(uri);
        if (q != null) {
            slots.set(slot, new Parsed(uri, q));
        }
        return q;
    }

    /** How many parsed paths are kept (for tests). */
    int kept() {
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            n += slots.get(i) == null ? 0 : 1;
        }
        return n;
    }

    static OcspQuery parse(String uri) {
        int end = uri.indexOf('?');
        byte[] der = uri.startsWith("/") ? OcspHttp.requestFromPath(end < 0 ? uri : uri.substring(0, end)) : null;
        if (der == null) {
            return null;
        }
        try {
            return RequestParser.parse(der);
        } catch (RequestParser.Malformed e) {
            return null;
        }
    }
}
