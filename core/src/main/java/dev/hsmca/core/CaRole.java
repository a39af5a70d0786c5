package dev.hsmca.core;

/** What a CA-side key is for: its alias in the key backend and the {@code ca_certificates.role} value in the store. */
public enum CaRole {
    ROOT("root"),
    ISSUING("issuing"),
    OCSP("ocsp"),
    TLS("tls");

    private final String alias;

    CaRole(String alias) {
        this.alias = alias;
    }

    public String alias() {
        return alias;
    }
}
