package dev.hsmca.appliance.ocsp;

import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.domain.CertificateStatusListener;
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

    /** Signs before the transaction; a new certificate has no earlier responses to replace. */
    @Override
    public Runnable prepare(CertificateRecord record, Change change) {
        var signed = presigner.sign(record);
        return change == Change.ISSUED ? () -> presigner.store(signed) : () -> presigner.replace(record.serial(), signed);
    }
}
