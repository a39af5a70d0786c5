package dev.hsmca.appliance.domain;

/** What a key in the HSM is for; its alias in the token is the role's name. */
public enum CaRole {
    ROOT("root"), ISSUING("issuing"), OCSP("ocsp"), TLS("tls");

    private final String alias;

    CaRole(String alias) {
        this.alias = alias;
    }

    public String alias() {
        return alias;
    }
}
