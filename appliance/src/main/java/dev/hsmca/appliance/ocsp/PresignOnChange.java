package dev.hsmca.appliance.ocsp;

import dev.hsmca.appliance.domain.CertificateStatusListener;
import dev.hsmca.appliance.store.CertificateRecord;
import jakarta.inject.Singleton;

/** Signs fresh OCSP responses whenever a certificate is issued or revoked: visible before the call returns. */
@Singleton
public class PresignOnChange implements CertificateStatusListener {
    private final OcspPresigner presigner;

    public PresignOnChange(OcspPresigner presigner) {
        this.presigner = presigner;
    }

    @Override
    public void statusChanged(CertificateRecord record, Change change) {
        presigner.presign(record);
    }

    /** An issuance signs before the transaction: a new certificate has no earlier responses to replace. */
    @Override
    public Runnable prepare(CertificateRecord record, Change change) {
        if (change != Change.ISSUED) {
            return CertificateStatusListener.super.prepare(record, change);
        }
        var signed = presigner.sign(record);
        return () -> presigner.store(signed);
    }
}
