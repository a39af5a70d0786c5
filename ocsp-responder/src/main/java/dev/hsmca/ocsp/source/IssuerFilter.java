package dev.hsmca.ocsp.source;

import dev.hsmca.core.CertIdHash;
import java.util.Optional;
import org.bouncycastle.cert.ocsp.CertificateID;

/**
 * First link: every CertID must use SHA-1 or SHA-256 and name the same issuing CA this responder serves;
 * anything else is {@code unauthorized}.
 */
public final class IssuerFilter {
    private final KnownIssuers issuers;
    private final Source next;
    private final boolean heldOnly;

    public IssuerFilter(KnownIssuers issuers, Source next) {
        this(issuers, next, false);
    }

    /** @param heldOnly only the issuers read already: never a store read (for an event loop) */
    public IssuerFilter(KnownIssuers issuers, Source next, boolean heldOnly) {
        this.issuers = issuers;
        this.next = next;
        this.heldOnly = heldOnly;
    }

    public Answer respond(OcspQuery query) {
        String hash = null;
        KnownIssuers.Issuer issuer = null;
        for (CertificateID id : query.ids()) {
            String h = hashName(id);
            if (h == null || (hash != null && !hash.equals(h))) {
                return Answer.error(ResponseStatus.UNAUTHORIZED);
            }
            hash = h;
            Optional<KnownIssuers.Issuer> found = heldOnly ? issuers.findHeld(id, h) : issuers.find(id, h);
            if (found.isEmpty()
                    || (issuer != null
                            && !issuer.row().id().equals(found.get().row().id()))) {
                return Answer.error(ResponseStatus.UNAUTHORIZED);
            }
            issuer = found.get();
        }
        return next.respond(new ResolvedQuery(query, issuer.row(), issuer.certificate(), hash));
    }

    static String hashName(CertificateID id) {
        return CertIdHash.of(id.getHashAlgOID()).map(CertIdHash::text).orElse(null);
    }
}
