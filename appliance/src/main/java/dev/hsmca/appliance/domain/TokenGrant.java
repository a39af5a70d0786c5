package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.store.InstallToken;
import java.time.Duration;
import java.util.Set;

/** An install token: exactly its service, its names, its profile, up to its validity. Used once. */
public record TokenGrant(InstallToken token) implements Grant {

    @Override
    public String actor() {
        return "token:" + token.id() + " (" + token.service() + ")";
    }

    @Override
    public Entitlement entitlement() {
        return new Entitlement(
                Entitlement.Source.INSTALL_TOKEN,
                actor(),
                token.service(),
                token.profile(),
                token.dnsNames(),
                token.ipAddresses(),
                token.uris(),
                Set.copyOf(token.clientNames()),
                false,
                Duration.ofDays(token.maxValidityDays()),
                null,
                null);
    }
}
