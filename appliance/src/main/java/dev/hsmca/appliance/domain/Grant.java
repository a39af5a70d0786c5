package dev.hsmca.appliance.domain;


import java.time.Duration;
import java.util.List;

/**
 * What an authenticated caller may do, as a typed policy that issuance applies (not a role string):
 * the administrator, a one-time install token, or the holder of a certificate this CA issued.
 */
public sealed interface Grant permits AdminGrant, TokenGrant, HolderGrant {

    /** Who is acting, for logs and the audit trail. */
    String actor();

    /** The profile to issue under, given what the request named (may be null). */
    String profileFor(String requested);

    /** The service the certificate belongs to, given what the request named (may be null). */
    String serviceFor(String requested);

    /** The longest validity this grant allows under a profile; the default validity never exceeds it. */
    default Duration validityCap(Profile profile) {
        return profile.maxValidity();
    }

    /** Throws a 403 {@code PkiException} naming what this grant does not allow. */
    void checkIssuance(Profile profile, List<String> dnsNames, List<String> ipAddresses, Duration validity);
}
