package dev.hsmca.appliance.domain;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a credential was granted, as the policy authority reads it: the one input, besides the request, that decides
 * a certificate's service, profile, names and lifetime. Every way in (REST, renewal, ACME, the appliance's own
 * certificates) describes its caller with one of these; nothing else is consulted.
 *
 * @param source          what kind of credential this is (decides revocation rights too)
 * @param actor           who acts, for the audit trail
 * @param service         the service the certificate belongs to; null when the caller may name one ({@link Source#ADMIN})
 * @param profile         the one profile allowed; null when the caller may ask for any requestable profile
 * @param dnsNames        DNS names allowed: exact names, and {@code *.domain} for that wildcard and names one label below
 * @param ipAddresses     IP addresses allowed (canonical text)
 * @param uris            URI names (SPIFFE IDs) allowed, exactly
 * @param clientNames     subject CNs that are not host names (a client identity such as {@code agent-foo})
 * @param anyName         any syntactically valid name is allowed (the administrator)
 * @param maxValidity     the longest lifetime allowed; null for the profile's maximum
 * @param defaultValidity the lifetime when the request names none; null for {@link #STANDARD_VALIDITY}
 * @param enrollKey       the enrollment key this grant comes from, directly or through the renewals of what it
 *                        issued; null for none (kept with each certificate, so revoking the key ends the chain)
 */
public record Entitlement(
        Source source,
        String actor,
        String service,
        String profile,
        List<String> dnsNames,
        List<String> ipAddresses,
        List<String> uris,
        Set<String> clientNames,
        boolean anyName,
        Duration maxValidity,
        Duration defaultValidity,
        String enrollKey) {

    /** The lifetime of a certificate whose request names none, unless the grant's cap is shorter. */
    public static final Duration STANDARD_VALIDITY = Duration.ofDays(90);

    /** Kinds of credential. */
    public enum Source {
        /** The super-admin over mTLS. */
        ADMIN,
        /** A one-time install token. */
        INSTALL_TOKEN,
        /** A reusable enrollment key, within its counts. */
        ENROLLMENT_KEY,
        /** The holder of a certificate of this CA, over mTLS (renewal, its own service). */
        HOLDER,
        /** An ACME account, for the names of an order its challenges proved. */
        ACME,
        /** A workload token (a Kubernetes service account's, or any trusted issuer's), exchanged once. */
        WORKLOAD,
        /** The appliance itself: its TLS certificate and the credentials {@code ca init} writes. */
        SYSTEM
    }

    public Entitlement {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        uris = List.copyOf(uris);
        clientNames = Set.copyOf(clientNames);
        if (maxValidity != null && (maxValidity.isNegative() || maxValidity.isZero())) {
            throw new IllegalArgumentException("a grant's maximum validity must be positive");
        }
    }

    /** The administrator: any requestable profile, any names, any service it names. */
    public static Entitlement admin(String actor) {
        return new Entitlement(
                Source.ADMIN, actor, null, null, List.of(), List.of(), List.of(), Set.of(), true, null, null, null);
    }

    /**
     * The appliance's own certificates: its TLS certificate (host names) and {@code ca init}'s client credentials (a
     * client name), for a fixed lifetime.
     */
    public static Entitlement system(
            String actor,
            String service,
            String profile,
            List<String> dnsNames,
            List<String> ipAddresses,
            Set<String> clientNames,
            Duration validity) {
        return new Entitlement(
                Source.SYSTEM,
                actor,
                service,
                profile,
                dnsNames,
                ipAddresses,
                List.of(),
                clientNames,
                false,
                validity,
                validity,
                null);
    }

    /** True when a holder of this kind may only use the reasons a certificate's own holder may. */
    public boolean holderLike() {
        return source == Source.HOLDER
                || source == Source.ACME
                || source == Source.INSTALL_TOKEN
                || source == Source.ENROLLMENT_KEY
                || source == Source.WORKLOAD;
    }
}
