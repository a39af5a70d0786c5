package dev.hsmca.appliance.domain;

/**
 * Who an authenticated caller is: the administrator, a one-time install token, a reusable enrollment key, a workload token, or the holder of a certificate this
 * CA issued. What it may be issued is its {@link #entitlement()}, which only the policy authority reads.
 */
public sealed interface Grant permits AdminGrant, TokenGrant, EnrollKeyGrant, HolderGrant, WorkloadGrant {

    /** Who is acting, for logs and the audit trail. */
    String actor();

    /** What this credential was granted. */
    Entitlement entitlement();
}
