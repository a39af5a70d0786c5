package dev.hsmca.appliance.domain;

/** The super-admin (mTLS with the credential {@code ca init} wrote): any requestable profile, any names. */
public record AdminGrant(String serial) implements Grant {

    @Override
    public String actor() {
        return "admin:" + serial;
    }

    @Override
    public Entitlement entitlement() {
        return Entitlement.admin(actor());
    }
}
