package dev.hsmca.appliance.store;

import dev.hsmca.core.CertificateStatus;
import jakarta.inject.Singleton;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Issued certificates in the database. A certificate is stored before anyone sees it; a store failure propagates
 * (the caller's transaction rolls back, and the edge answers 503 {@code store_unavailable}).
 */
@Singleton
public class CertificateStore {
    private final CertificateRepository repository;
    private final Clock clock;

    public CertificateStore(CertificateRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** Stores a record made by {@link #issued}, in the caller's transaction. */
    public CertificateRecord insert(CertificateRecord record) {
        return repository.save(record);
    }

    /** The row for a certificate as issued, with the names and profile it was made for, under its issuer; not yet stored. */
    public CertificateRecord issued(
            X509Certificate certificate,
            String issuerId,
            String profile,
            List<String> dnsNames,
            List<String> ipAddresses,
            List<String> uris,
            String service,
            String renewalOf,
            Duration maxValidity,
            String enrollKeyId,
            Integer crlShard) {
        try {
            return new CertificateRecord(
                    certificate.getSerialNumber().toString(16),
                    issuerId,
                    certificate.getSubjectX500Principal().getName(),
                    String.join(",", dnsNames),
                    String.join(",", ipAddresses),
                    profile,
                    service,
                    CertificateStatus.VALID,
                    certificate.getNotBefore().toInstant(),
                    certificate.getNotAfter().toInstant(),
                    null,
                    null,
                    certificate.getEncoded(),
                    clock.instant(),
                    renewalOf,
                    null,
                    maxValidity == null ? null : maxValidity.toSeconds(),
                    uris.isEmpty() ? null : String.join(",", uris),
                    enrollKeyId,
                    crlShard);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
