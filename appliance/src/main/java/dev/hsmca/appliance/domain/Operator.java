package dev.hsmca.appliance.domain;

import java.util.List;

/**
 * Who creates credentials for services: the administrator (mTLS, or an OIDC identity a rule makes one), or an
 * identity with {@link Delegation delegations} only. Not a {@link Grant}: it is never issued a certificate itself.
 *
 * @param actor       who acts, for the audit trail ({@code admin:<serial>}, {@code oidc:<issuer>:<subject>})
 * @param admin       may do anything an administrator may
 * @param delegations what else it may do, when not an administrator
 */
public record Operator(String actor, boolean admin, List<Delegation> delegations) {

    public Operator {
        delegations = List.copyOf(delegations);
    }

    public static Operator of(AdminGrant admin) {
        return new Operator(admin.actor(), true, List.of());
    }
}
