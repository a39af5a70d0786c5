package dev.hsmca.appliance.domain;

/**
 * The administrator: mTLS with the credential {@code ca init} wrote ({@code admin:<serial>}), or an OIDC identity an
 * {@code admin} rule maps ({@code oidc:<issuer>:<subject>}): any requestable profile, any names.
 */
public record AdminGrant(String actor) implements Grant {

    /** The administrator's client certificate. */
    public static AdminGrant tls(String serial) {
        return new AdminGrant("admin:" + serial);
    }

    @Override
    public Entitlement entitlement() {
        return Entitlement.admin(actor());
    }
}
