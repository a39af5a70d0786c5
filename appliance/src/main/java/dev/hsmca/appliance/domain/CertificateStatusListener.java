package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.store.CertificateRecord;

/**
 * Told, inside the transaction, when a certificate is issued or its revocation status changes: how
 * pre-signed OCSP responses and CRLs follow the store without issuance knowing about them.
 */
public interface CertificateStatusListener {
    enum Change {
        ISSUED,
        STATUS_CHANGED
    }

    void statusChanged(CertificateRecord record, Change change);

    /**
     * In two steps, for a caller that keeps slow work out of its transaction (issuance): this part runs before the
     * transaction (signing, say) and returns the part that writes, inside it. By default all of it is written then.
     */
    default Runnable prepare(CertificateRecord record, Change change) {
        return () -> statusChanged(record, change);
    }
}
