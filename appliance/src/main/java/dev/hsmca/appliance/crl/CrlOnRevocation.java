package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.ca.CaRole;
import dev.hsmca.appliance.certificates.CertificateRecord;
import dev.hsmca.appliance.certificates.CertificateStatusListener;
import jakarta.inject.Singleton;

/** With {@code pki.crl.on-revocation}, a revocation issues a new CRL at once (in the same transaction). */
@Singleton
public class CrlOnRevocation implements CertificateStatusListener {
    private final CrlService crls;
    private final CrlConfig config;

    public CrlOnRevocation(CrlService crls, CrlConfig config) {
        this.crls = crls;
        this.config = config;
    }

    @Override
    public void statusChanged(CertificateRecord record, Change change) {
        if (change == Change.STATUS_CHANGED && config.onRevocation()) {
            crls.generate(CaRole.ISSUING, "system:on-revocation");
        }
    }
}
