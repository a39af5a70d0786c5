package dev.hsmca.appliance.auth;

import dev.hsmca.appliance.issuance.Profile;

import java.util.List;

/**
 * What an authenticated caller may do, as a typed policy that issuance applies (not a role string).
 * New kinds of callers (install tokens, certificate holders) are new permitted records.
 */
public sealed interface Grant permits AdminGrant {

    /** Who is acting, for logs and the audit trail. */
    String actor();

    /** Throws a 403 {@code ApiException} naming what is not allowed. */
    void checkIssuance(Profile profile, List<String> dnsNames, List<String> ipAddresses, int validityDays);

    boolean mayRead();
}
