package dev.hsmca.ocsp.source;

import dev.hsmca.ocsp.store.PresignedLookup;
import java.time.Clock;

/**
 * Serves the response the appliance signed ahead of time: no key at the edge. A request that cannot be served
 * that way (several CertIDs, or no pre-signed response) goes to live signing when this responder has an HSM,
 * else gets {@code unauthorized}, as RFC 5019 §2.2.3 allows. A response past its nextUpdate is never served
 * (clients would reject it): live signing answers instead, or {@code tryLater} without an HSM.
 */
public final class PresignedSource implements Source {
    private final PresignedLookup presigned;
    private final Source live;
    private final Clock clock;

    public PresignedSource(PresignedLookup presigned, Source live, Clock clock) {
        this.presigned = presigned;
        this.live = live;
        this.clock = clock;
    }

    @Override
    public Answer respond(ResolvedQuery q) {
        if (q.query().single()) {
            String serial = q.query().serial();
            var row = presigned.find(serial, q.hash(), q.issuer().id());
            if (row.isPresent() && !row.get().nextUpdate().isAfter(clock.instant())) {
                return live != null ? live.respond(q) : Answer.error(ResponseStatus.TRY_LATER);
            }
            if (row.isPresent()) {
                return new Answer(
                        row.get().responseDer(),
                        ResponseStatus.SUCCESSFUL,
                        row.get().thisUpdate(),
                        row.get().nextUpdate(),
                        Answer.Mode.PRESIGNED,
                        row.get().status(),
                        presigned.heldInMemory());
            }
        }
        return live != null ? live.respond(q) : Answer.error(ResponseStatus.UNAUTHORIZED);
    }
}
