package dev.hsmca.appliance.domain;


import java.util.List;

/** The super-admin (mTLS with the credential {@code ca init} wrote): any requestable profile, any names. */
public record AdminGrant(String serial) implements Grant {

    @Override
    public String actor() {
        return "admin:" + serial;
    }

    @Override
    public String profileFor(String requested) {
        return requested;
    }

    @Override
    public String serviceFor(String requested) {
        return requested == null ? null : ServiceId.require(requested);
    }

    @Override
    public void checkIssuance(Profile profile, List<String> dnsNames, List<String> ipAddresses, java.time.Duration validity) {
        // Profiles and validity caps were already applied; an admin may request any names.
    }
}
