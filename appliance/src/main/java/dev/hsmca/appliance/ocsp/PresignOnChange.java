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
}
