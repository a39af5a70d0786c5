package dev.hsmca.appliance.certificates;

import dev.hsmca.appliance.issuance.LeafTemplate;
import dev.hsmca.appliance.domain.PkiException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Issued certificates in the database. A certificate is stored before anyone sees it. */
@Singleton
public class CertificateStore {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateStore.class);

    private final CertificateRepository repository;
    private final Clock clock;

    public CertificateStore(CertificateRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    public CertificateRecord saveIssued(X509Certificate certificate, String issuerId, LeafTemplate t, String service) {
        return saveIssued(certificate, issuerId, t, service, null);
    }

    public CertificateRecord saveIssued(X509Certificate certificate, String issuerId, LeafTemplate t, String service,
                                        String renewalOf) {
        CertificateRecord record = toRecord(certificate, issuerId, t, service, renewalOf);
        try {
            return repository.save(record);
        } catch (RuntimeException e) {
            LOG.error("could not store certificate {}: {}", record.serial(), e.toString());
            throw PkiException.unavailable("store_unavailable",
                    "the certificate could not be stored, so it is not issued; try again later");
        }
    }

    private CertificateRecord toRecord(X509Certificate certificate, String issuerId, LeafTemplate t, String service,
                                       String renewalOf) {
        try {
            return new CertificateRecord(certificate.getSerialNumber().toString(16), issuerId,
                    certificate.getSubjectX500Principal().getName(), String.join(",", t.dnsNames()),
                    String.join(",", t.ipAddresses()), t.profile().name(), service, CertificateRecord.VALID,
                    certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(), null, null,
                    certificate.getEncoded(), clock.instant(), renewalOf, null);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<CertificateRecord> find(String serial) {
        return repository.findById(serial);
    }

    public List<CertificateRecord> page(CertificateQuery q) {
        return repository.page(q.status(), q.service(), q.now(), q.minNotAfter(), q.maxNotAfter(), q.afterNotAfter(),
                q.afterSerial(), q.limit());
    }
}
