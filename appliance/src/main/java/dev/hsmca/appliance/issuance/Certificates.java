package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The certificates this CA issued, read for the web edge, which holds no repository of its own. */
@Singleton
public class Certificates {
    private final CertificateRepository certificates;

    public Certificates(CertificateRepository certificates) {
        this.certificates = certificates;
    }

    public Optional<CertificateRecord> find(String serial) {
        return certificates.findById(serial);
    }

    /** One page in (notAfter, serial) order after the cursor position: see {@link CertificateRepository#page}. */
    public List<CertificateRecord> page(
            String wanted,
            String service,
            String enrollKey,
            Instant now,
            Instant minNotAfter,
            Instant maxNotAfter,
            Instant afterNotAfter,
            String afterSerial,
            int limit) {
        return certificates.page(
                wanted, service, enrollKey, now, minNotAfter, maxNotAfter, afterNotAfter, afterSerial, limit);
    }
}
