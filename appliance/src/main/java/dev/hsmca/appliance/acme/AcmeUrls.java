package dev.hsmca.appliance.acme;

/** The ACME URLs under one base ({@code https://host:port}), as clients saw them in the directory. */
public record AcmeUrls(String base) {
    public String directory() {
        return base + "/acme/directory";
    }

    public String newNonce() {
        return base + "/acme/new-nonce";
    }

    public String newAccount() {
        return base + "/acme/new-account";
    }

    public String newOrder() {
        return base + "/acme/new-order";
    }

    public String revokeCert() {
        return base + "/acme/revoke-cert";
    }

    public String keyChange() {
        return base + "/acme/key-change";
    }

    public String renewalInfo() {
        return base + "/acme/renewal-info";
    }

    public String accountPrefix() {
        return base + "/acme/acct/";
    }

    public String account(String id) {
        return accountPrefix() + id;
    }

    public String order(String id) {
        return base + "/acme/order/" + id;
    }

    public String finalize(String id) {
        return base + "/acme/order/" + id + "/finalize";
    }

    public String certificate(String orderId) {
        return base + "/acme/cert/" + orderId;
    }

    public String authorization(String id) {
        return base + "/acme/authz/" + id;
    }

    public String challenge(String id) {
        return base + "/acme/chall/" + id;
    }
}
