package dev.hsmca.appliance.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A workload token of a trusted issuer, verified: exactly the service, names and profile its issuer's templates made
 * from the token's subject, up to the issuer's (short) lifetime cap. Used once: its {@code jti} is recorded in the
 * issuance's write.
 *
 * @param issuer    the workload issuer's configured name
 * @param subject   the token's {@code sub}
 * @param jti       the token's id, single use
 * @param expiresAt when the token expires (its use is remembered until then)
 */
public record WorkloadGrant(
        String issuer,
        String subject,
        String jti,
        Instant expiresAt,
        String service,
        String profile,
        List<String> dnsNames,
        List<String> uris,
        Duration maxValidity)
        implements Grant {

    public WorkloadGrant {
        dnsNames = List.copyOf(dnsNames);
        uris = List.copyOf(uris);
    }

    @Override
    public String actor() {
        return Grant.safeActor("workload:" + issuer + ":" + subject);
    }

    @Override
    public Entitlement entitlement() {
        return new Entitlement(
                Entitlement.Source.WORKLOAD,
                actor(),
                service,
                profile,
                dnsNames,
                List.of(),
                uris,
                Set.of(),
                false,
                maxValidity,
                maxValidity,
                null);
    }
}
