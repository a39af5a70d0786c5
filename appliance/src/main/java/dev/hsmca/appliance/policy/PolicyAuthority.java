package dev.hsmca.appliance.policy;

import dev.hsmca.appliance.domain.Delegation;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.Profile;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.domain.Validity;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The policy authority (Boulder's PA): for every way a certificate is asked for, decides from the grant — never from
 * the request — the service, the profile, the subject, the names and the lifetime; and who may change a revocation.
 * Front ends translate their request into a {@link CertificateAsk}; the registration authority signs what this
 * decides. Pure but for the appliance's own names ({@link ReservedNames}): no store, no clock, no keys.
 */
@Singleton
public class PolicyAuthority {
    /** The reasons a certificate's holder may give: its own key or its own service's state (RFC 5280 §5.3.1). */
    static final Set<RevocationReason> HOLDER_REASONS = EnumSet.of(
            RevocationReason.UNSPECIFIED,
            RevocationReason.KEY_COMPROMISE,
            RevocationReason.AFFILIATION_CHANGED,
            RevocationReason.SUPERSEDED,
            RevocationReason.CESSATION_OF_OPERATION);

    private final Profiles profiles;
    private final ReservedNames reserved;

    public PolicyAuthority(Profiles profiles, ReservedNames reserved) {
        this.profiles = profiles;
        this.reserved = reserved;
    }

    /** The certificate the grant allows for this ask, or the typed refusal (400 for the request, 403 for the grant). */
    public Decision decide(Entitlement grant, CertificateAsk ask) {
        Profile profile = profile(grant, ask.profile());
        String service = service(grant, ask.service());
        NameChoice names = NameChoice.of(grant, ask, profile);
        if (handedOut(grant.source())) {
            requireUnreserved(grant, names);
        }
        Duration cap = cap(grant, profile);
        Duration validity = validity(grant, ask.validity(), profile, cap);
        // What renewals may ask later: the grant's own cap, or, for a grant without one (the administrator), the
        // lifetime it chose now — a 1-day certificate never renews into a 397-day one.
        Duration carried = grant.maxValidity() == null ? validity : cap;
        return new Decision(
                service,
                profile,
                names.commonName(),
                names.dnsNames(),
                names.ipAddresses(),
                names.uris(),
                validity,
                carried,
                grant.enrollKey());
    }

    /**
     * Refuses (400 {@code reserved_name}) a credential to be handed out whose allowed names are, or cover, one of the
     * appliance's own TLS names: checked when it is made, and again at each use ({@link #decide}), since the
     * appliance's names may change after.
     *
     * @param names DNS names or {@code *.domain} patterns, IP addresses, client names (a CN may be read as a host name)
     */
    public void requireGrantable(Entitlement.Source source, List<String> names) {
        if (!handedOut(source)) {
            return;
        }
        Reserved hit = firstReserved(names);
        if (hit != null) {
            throw PkiException.malformed(
                    "reserved_name",
                    "'" + Names.printable(hit.name()) + "' is or covers " + hit.appliances()
                            + ", a name of this appliance's own TLS certificate; no "
                            + kindOf(source) + " may allow it");
        }
    }

    /**
     * Whether {@code operator} may create a credential of {@code kind} for {@code service} allowing these names: the
     * administrator may; anyone else only inside one {@link Delegation} of theirs — its services, its DNS names, no IP
     * address or URI, and no client name but the service's own ({@code <service>}, {@code agent-<service>}). Otherwise
     * 403 {@code not_allowed}, saying what is outside.
     */
    public void requireDelegated(
            Operator operator,
            Delegation.Kind kind,
            String service,
            List<String> dnsNames,
            List<String> ipAddresses,
            List<String> clientNames,
            List<String> uris) {
        if (operator.admin()) {
            return;
        }
        String outside = "you may not create " + kind.text();
        for (Delegation d : operator.delegations()) {
            if (!d.creates().contains(kind)) {
                continue;
            }
            if (!d.coversService(service)) {
                outside = kind.text() + " for service '" + service + "' are not yours to create (" + d.services() + ")";
                continue;
            }
            String name =
                    dnsNames.stream().filter(n -> !d.coversDns(n)).findFirst().orElse(null);
            if (name != null) {
                outside = "the DNS name '" + Names.printable(name) + "' is outside " + d.dnsNames();
                continue;
            }
            String client = clientNames.stream()
                    .filter(n -> !n.equals(service) && !n.equals("agent-" + service))
                    .findFirst()
                    .orElse(null);
            if (client != null) {
                outside = "the client name '" + Names.printable(client) + "' is not service " + service + "'s own";
                continue;
            }
            if (!ipAddresses.isEmpty() || !uris.isEmpty()) {
                outside = "IP addresses and URI names are for an administrator to allow";
                continue;
            }
            return;
        }
        throw PkiException.forbidden("not_allowed", outside);
    }

    /** A name that is or covers one of the appliance's own, and which of those. */
    private record Reserved(String name, String appliances) {}

    private Reserved firstReserved(List<String> names) {
        for (String n : names) {
            String r = reserved.covered(n);
            if (r != null) {
                return new Reserved(n, r);
            }
        }
        return null;
    }

    /** Credentials an administrator hands to a service: what they get must never pose as the appliance. */
    private static boolean handedOut(Entitlement.Source source) {
        return source == Entitlement.Source.INSTALL_TOKEN
                || source == Entitlement.Source.ENROLLMENT_KEY
                || source == Entitlement.Source.WORKLOAD;
    }

    /** 403 {@code reserved_name} for a certificate name (or its subject CN) that is or covers an appliance name. */
    private void requireUnreserved(Entitlement grant, NameChoice names) {
        List<String> all = new ArrayList<>(names.dnsNames());
        all.addAll(names.ipAddresses());
        if (names.commonName() != null) {
            all.add(names.commonName()); // a client-name CN too: without DNS SANs, clients may check the CN
        }
        Reserved hit = firstReserved(all);
        if (hit != null) {
            throw PkiException.forbidden(
                    "reserved_name",
                    "'" + Names.printable(hit.name()) + "' is or covers " + hit.appliances()
                            + ", a name of this appliance's own TLS certificate, which no " + kind(grant)
                            + " may be issued");
        }
    }

    /**
     * Whether {@code revoker} may move {@code current} to {@code reason}. Administrators may do anything the
     * revocation states allow; a holder (or an ACME account, or a certificate's own key) may revoke with its own
     * reasons, never put on or lift a hold, and never change a reason once given.
     */
    public void checkRevocation(Entitlement.Source revoker, CertificateRecord current, RevocationReason reason) {
        if (revoker == Entitlement.Source.ADMIN || revoker == Entitlement.Source.SYSTEM) {
            return;
        }
        if (!HOLDER_REASONS.contains(reason)) {
            throw PkiException.forbidden(
                    "reason_not_allowed",
                    "only an administrator may revoke with " + reason.text() + "; a certificate's holder may use "
                            + HOLDER_REASONS.stream()
                                    .map(RevocationReason::text)
                                    .toList());
        }
        if (current.status() == CertificateStatus.REVOKED && !reason.text().equals(current.revocationReason())) {
            throw PkiException.forbidden(
                    "revocation_change_not_allowed",
                    "certificate " + current.serial() + " is revoked for " + current.revocationReason()
                            + "; only an administrator may change that");
        }
    }

    private Profile profile(Entitlement grant, String requested) {
        if (grant.profile() == null) {
            return profiles.requestable(requested);
        }
        if (requested != null && !requested.equals(grant.profile())) {
            throw PkiException.forbidden(
                    "profile_not_allowed",
                    "this " + kind(grant) + " allows profile " + grant.profile() + ", not "
                            + Names.printable(requested));
        }
        boolean ownProfile = grant.source() == Entitlement.Source.HOLDER || grant.source() == Entitlement.Source.SYSTEM;
        return ownProfile ? profiles.internal(grant.profile()) : profiles.requestable(grant.profile());
    }

    private static String service(Entitlement grant, String requested) {
        if (grant.source() == Entitlement.Source.ADMIN) {
            return requested == null ? null : ServiceId.requireGrantable(requested);
        }
        if (requested != null && !requested.equals(grant.service())) {
            throw PkiException.forbidden(
                    "service_not_allowed",
                    "this " + kind(grant) + " is for service " + grant.service() + ", not "
                            + Names.printable(requested));
        }
        return grant.service();
    }

    private static Duration cap(Entitlement grant, Profile profile) {
        Duration cap = profile.maxValidity();
        return grant.maxValidity() != null && grant.maxValidity().compareTo(cap) < 0 ? grant.maxValidity() : cap;
    }

    /**
     * Between the profile's minimum and maximum, and never past the grant's cap; by default the grant's default, else
     * the profile's, else 90 days, within the cap.
     */
    private static Duration validity(Entitlement grant, Duration requested, Profile profile, Duration cap) {
        if (requested == null) {
            Duration standard = grant.defaultValidity() != null
                    ? grant.defaultValidity()
                    : profile.defaultValidity() != null ? profile.defaultValidity() : Entitlement.STANDARD_VALIDITY;
            Duration chosen = standard.compareTo(cap) < 0 ? standard : cap;
            if (chosen.compareTo(profile.minValidity()) < 0) {
                throw PkiException.forbidden(
                        "validity_not_allowed",
                        "this " + kind(grant) + " allows at most "
                                + Validity.format(cap) + ", below the minimum " + Validity.format(profile.minValidity())
                                + " of profile " + profile.name());
            }
            return chosen;
        }
        if (requested.compareTo(profile.maxValidity()) > 0) {
            throw PkiException.malformed(
                    "validity_too_long",
                    "validity " + Validity.format(requested) + " exceeds the " + profile.maxValidityDays()
                            + "-day cap of profile " + profile.name());
        }
        if (requested.compareTo(profile.minValidity()) < 0) {
            throw PkiException.malformed(
                    "validity_too_short",
                    "validity " + Validity.format(requested) + " is below the minimum "
                            + Validity.format(profile.minValidity()) + " of profile " + profile.name());
        }
        if (requested.compareTo(cap) > 0) {
            throw PkiException.forbidden(
                    "validity_not_allowed",
                    "validity " + Validity.format(requested) + " exceeds the " + Validity.format(cap) + " this "
                            + kind(grant) + " allows");
        }
        return requested;
    }

    static String kind(Entitlement grant) {
        return kindOf(grant.source());
    }

    private static String kindOf(Entitlement.Source source) {
        return switch (source) {
            case ADMIN -> "administrator";
            case INSTALL_TOKEN -> "install token";
            case ENROLLMENT_KEY -> "enrollment key";
            case HOLDER -> "certificate's grant";
            case ACME -> "ACME order";
            case WORKLOAD -> "workload token";
            case SYSTEM -> "appliance credential";
        };
    }
}
