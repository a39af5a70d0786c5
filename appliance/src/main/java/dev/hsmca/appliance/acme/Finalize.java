package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.store.AcmeAccount;

/** finalize (RFC 8555 §7.4): the order to issue and the CSR (DER) for it, by the account that sent it. */
public record Finalize(AcmeAccount account, String orderId, byte[] csrDer) {
    public Finalize {
        csrDer = csrDer.clone();
    }
}
