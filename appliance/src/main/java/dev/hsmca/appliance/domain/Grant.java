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

    /**
     * An actor made from what a caller's token says (an OIDC subject, a workload's subject): characters that could
     * forge a log line or an audit field replaced, cut to the 128 characters a {@code created_by} column holds.
     */
    static String safeActor(String raw) {
        String actor = raw.replaceAll("[^A-Za-z0-9._@:/+-]", "_");
        return actor.length() > 128 ? actor.substring(0, 128) : actor;
    }
}
