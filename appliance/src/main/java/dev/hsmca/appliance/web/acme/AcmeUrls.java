package dev.hsmca.appliance.web.acme;

/** The ACME URLs under one base ({@code https://host:port}), as clients saw them in the directory. */
record AcmeUrls(String base) {
    String directory() {
        return base + "/acme/directory";
    }

    String newNonce() {
        return base + "/acme/new-nonce";
    }

    String newAccount() {
        return base + "/acme/new-account";
    }

    String newOrder() {
        return base + "/acme/new-order";
    }

    String revokeCert() {
        return base + "/acme/revoke-cert";
    }

    String keyChange() {
        return base + "/acme/key-change";
    }

    String renewalInfo() {
        return base + "/acme/renewal-info";
    }

    String accountPrefix() {
        return base + "/acme/acct/";
    }

    String account(String id) {
        return accountPrefix() + id;
    }

    String order(String id) {
        return base + "/acme/order/" + id;
    }

    String finalize(String id) {
        return base + "/acme/order/" + id + "/finalize";
    }

    String certificate(String orderId) {
        return base + "/acme/cert/" + orderId;
    }

    String authorization(String id) {
        return base + "/acme/authz/" + id;
    }

    String challenge(String id) {
        return base + "/acme/chall/" + id;
    }
}
