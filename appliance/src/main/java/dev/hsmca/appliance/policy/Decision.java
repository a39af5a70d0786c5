package dev.hsmca.appliance.policy;

import dev.hsmca.appliance.domain.Profile;
import java.time.Duration;
import java.util.List;

/**
 * What the policy authority decided a certificate will be. Nothing in it comes from the request unless the grant
 * allowed it; the signer adds only what the profile fixes (key usage, pointers, the subject template).
 *
 * @param commonName   the subject CN: one of the certificate's names or a granted client name; null for none
 * @param maxValidity  the grant's cap under this profile, stored with the certificate for its renewals
 * @param enrollKey    the enrollment key behind the grant, stored with the certificate for its renewals; or null
 */
public record Decision(
        String service,
        Profile profile,
        String commonName,
        List<String> dnsNames,
        List<String> ipAddresses,
        List<String> uris,
        Duration validity,
        Duration maxValidity,
        String enrollKey) {

    public Decision {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        uris = List.copyOf(uris);
    }
}
