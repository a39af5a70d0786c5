package dev.hsmca.appliance.auth;

import dev.hsmca.appliance.certificates.CertificateRecord;
import dev.hsmca.appliance.certificates.CertificateRepository;
import dev.hsmca.appliance.web.ApiException;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;

/**
 * Turns the caller's credentials into a {@link Grant}. The TLS layer has already checked that a client
 * certificate chains to this CA; here it must also be the very certificate the store holds, unrevoked,
 * unexpired, and issued for the admin profile.
 */
@Singleton
public class Authorizer {
    public static final String ADMIN_PROFILE = "admin";

    private final CertificateRepository certificates;
    private final Clock clock;

    public Authorizer(CertificateRepository certificates, Clock clock) {
        this.certificates = certificates;
        this.clock = clock;
    }

    public Grant authorize(HttpRequest<?> request) {
        X509Certificate client = request.getCertificate()
                .filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast)
                .orElseThrow(() -> ApiException.unauthorized("client_certificate_required",
                        "this endpoint needs a client certificate (mTLS) issued by this CA"));
        String serial = client.getSerialNumber().toString(16);
        CertificateRecord record = certificates.findById(serial)
                .filter(r -> sameCertificate(r, client))
                .orElseThrow(() -> ApiException.forbidden("unknown_client_certificate",
                        "the client certificate was not issued by this CA's store"));
        if (CertificateRecord.REVOKED.equals(record.status())) {
            throw ApiException.forbidden("client_certificate_revoked", "the client certificate is revoked");
        }
        if (!record.notAfter().isAfter(clock.instant())) {
            throw ApiException.forbidden("client_certificate_expired", "the client certificate has expired");
        }
        if (ADMIN_PROFILE.equals(record.profile())) {
            return new AdminGrant(serial);
        }
        throw ApiException.forbidden("not_admin", "this endpoint is for administrators");
    }

    public Grant authorizeReader(HttpRequest<?> request) {
        Grant grant = authorize(request);
        if (!grant.mayRead()) {
            throw ApiException.forbidden("not_allowed", "this credential may not read certificates");
        }
        return grant;
    }

    private static boolean sameCertificate(CertificateRecord record, X509Certificate client) {
        try {
            return MessageDigest.isEqual(record.certificateDer(), client.getEncoded());
        } catch (CertificateEncodingException e) {
            return false;
        }
    }
}
