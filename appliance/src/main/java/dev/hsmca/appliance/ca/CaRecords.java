package dev.hsmca.appliance.ca;

import dev.hsmca.appliance.store.CaCertificateRecord;
import dev.hsmca.appliance.store.CaCertificateRepository;
import dev.hsmca.appliance.x509.CertIdHashes;
import dev.hsmca.core.CaRole;
import jakarta.inject.Singleton;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;

/**
 * Stores the CA-side certificates (root, issuing, OCSP signer, the appliance's TLS certificate) as active rows, with
 * the hashes the OCSP responder finds an issuer by; {@link CaHierarchy} reads them back.
 */
@Singleton
public class CaRecords {
    private final CaCertificateRepository repository;
    private final Clock clock;

    public CaRecords(CaCertificateRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /**
     * The id the store gives a CA certificate (and its CRL and caIssuers URLs carry): role and 8 hex digits of the
     * serial. CA certificates have random serials: their first 8 digits, as always, so existing ids and URLs stay. The
     * TLS certificate comes from the issuance pipeline, whose serials start with the time (the same first digits for
     * certificates made seconds apart): its last 8, which are random.
     */
    public static String idOf(CaRole role, X509Certificate cert) {
        String serial = cert.getSerialNumber().toString(16);
        int digits = Math.min(8, serial.length());
        return role.alias() + "-"
                + (role == CaRole.TLS ? serial.substring(serial.length() - digits) : serial.substring(0, digits));
    }

    /** Stores an active CA-side certificate whose key is under the role's own alias in the HSM; returns its id. */
    public String save(CaRole role, X509Certificate cert, String parentId, String algorithm) {
        return save(role, cert, parentId, algorithm, role.alias());
    }

    /** Stores an active CA-side certificate whose key is under {@code keyAlias} in the HSM; returns its id. */
    public String save(CaRole role, X509Certificate cert, String parentId, String algorithm, String keyAlias) {
        String serial = cert.getSerialNumber().toString(16);
        String id = idOf(role, cert);
        CertIdHashes h = CertIdHashes.of(cert);
        try {
            repository.save(CaCertificateRecord.active(
                    id,
                    role,
                    keyAlias,
                    cert.getSubjectX500Principal().getName(),
                    serial,
                    parentId,
                    algorithm,
                    h.nameSha1(),
                    h.keySha1(),
                    h.nameSha256(),
                    h.keySha256(),
                    cert.getNotBefore().toInstant(),
                    cert.getNotAfter().toInstant(),
                    cert.getEncoded(),
                    clock.instant()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** Retires an active CA-side certificate (the TLS certificate a renewal replaces), in the caller's transaction. */
    public void deactivate(String id) {
        repository.deactivate(id);
    }
}
