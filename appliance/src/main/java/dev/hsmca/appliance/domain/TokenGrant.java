package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.store.InstallToken;


import java.time.Duration;
import java.util.List;

/** An install token: exactly its service, its names, its profile, up to its validity. Used once. */
public record TokenGrant(InstallToken token) implements Grant {

    @Override
    public String actor() {
        return "token:" + token.id() + " (" + token.service() + ")";
    }

    @Override
    public String profileFor(String requested) {
        if (requested != null && !requested.equals(token.profile())) {
            throw PkiException.forbidden("profile_not_allowed",
                    "this install token is for profile " + token.profile() + ", not " + requested);
        }
        return token.profile();
    }

    @Override
    public String serviceFor(String requested) {
        if (requested != null && !requested.equals(token.service())) {
            throw PkiException.forbidden("service_not_allowed",
                    "this install token is for service " + token.service() + ", not " + requested);
        }
        return token.service();
    }

    @Override
    public Duration validityCap(Profile profile) {
        Duration token = Duration.ofDays(this.token.maxValidityDays());
        return token.compareTo(profile.maxValidity()) < 0 ? token : profile.maxValidity();
    }

    @Override
    public void checkIssuance(Profile profile, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
        Names.requireSubset(dnsNames, token.dnsNames(), "DNS name", "this install token");
        Names.requireSubset(ipAddresses, token.ipAddresses(), "IP address", "this install token");
        if (validity.compareTo(Duration.ofDays(token.maxValidityDays())) > 0) {
            throw PkiException.forbidden("validity_not_allowed", "validity " + Validity.format(validity)
                    + " exceeds this install token's maximum of " + token.maxValidityDays() + " days");
        }
    }

    /** Name checks shared by grants that are limited to a set of names. */
    static final class Names {
        private Names() {
        }

        static void requireSubset(List<String> requested, List<String> allowed, String kind, String by) {
            for (String name : requested) {
                if (!allowed.contains(name)) {
                    throw PkiException.forbidden("name_not_allowed", kind + " '" + name + "' is not allowed by " + by
                            + " (allowed: " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)) + ")");
                }
            }
        }
    }
}
