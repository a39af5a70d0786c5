package dev.hsmca.appliance.health;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.store.MetricsRepository;
import dev.hsmca.core.CaRole;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Instant;

/** How fresh what relying parties fetch is: the issuing CA's CRL and the oldest pre-signed OCSP response in use. */
@Singleton
public class Freshness {

    /** {@code fresh}: the CRL is not past its nextUpdate; a store or CA that cannot be read is not fresh. */
    public record Report(
            @Nullable Instant crlNextUpdate, @Nullable Instant ocspPresignedOldest, boolean fresh) {}

    private final MetricsRepository store;
    private final CaHierarchy ca;

    public Freshness(MetricsRepository store, CaHierarchy ca) {
        this.store = store;
        this.ca = ca;
    }

    public Report check(Instant now) {
        Instant crl = null;
        Instant presigned = null;
        boolean fresh;
        try {
            crl = store.crlNextUpdate(ca.member(CaRole.ISSUING).id()).orElse(null);
            fresh = crl != null && crl.isAfter(now);
            presigned = store.oldestPresigned(now).orElse(null);
        } catch (RuntimeException e) {
            fresh = false;
        }
        return new Report(crl, presigned, fresh);
    }
}
