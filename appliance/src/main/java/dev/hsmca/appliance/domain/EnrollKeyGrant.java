package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.store.EnrollKey;
import java.util.List;
import java.util.Set;

/**
 * A reusable enrollment key: exactly its service, its names (exact, or {@code *.domain} one label below), its profile,
 * up to its lifetime cap. Each use is counted in the issuance's write.
 *
 * @param source who presented it and from where, for the aggregated refusals when a use is refused in the write
 */
public record EnrollKeyGrant(EnrollKey key, String source) implements Grant {

    @Override
    public String actor() {
        return "enroll-key:" + key.id() + " (" + key.service() + ")";
    }

    @Override
    public Entitlement entitlement() {
        return new Entitlement(
                Entitlement.Source.ENROLLMENT_KEY,
                actor(),
                key.service(),
                key.profile(),
                key.dnsNames(),
                key.ipAddresses(),
                List.of(),
                Set.of(),
                false,
                key.maxValidity(),
                null,
                key.id());
    }
}
