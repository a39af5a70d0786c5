package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.RenewalWindow;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.AcmeOrder;
import dev.hsmca.appliance.store.AcmeRepositories;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;

/** What ACME clients do with certificates: download the chain, revoke (§7.6), and read renewal info (RFC 9773). */
@Singleton
public class AcmeCertificates {
    private final AcmeRepositories.Orders orders;
    private final CertificateRepository certificates;
    private final Revocations revocations;
    private final CaHierarchy ca;

    public AcmeCertificates(AcmeRepositories.Orders orders, CertificateRepository certificates, Revocations revocations,
                            CaHierarchy ca) {
        this.orders = orders;
        this.certificates = certificates;
        this.revocations = revocations;
        this.ca = ca;
    }

    /** The issued certificate then the issuing CA (PEM), for the order's account. */
    @Transactional(readOnly = true)
    public String chain(AcmeRequest req, String orderId) {
        AcmeOrder o = orders.findById(orderId).orElseThrow(() -> AcmeProblem.notFound("no order " + orderId));
        if (!req.requireAccount().id().equals(o.accountId())) {
            throw AcmeProblem.unauthorized("this certificate belongs to another account");
        }
        if (o.certificateSerial() == null) {
            throw AcmeProblem.notFound("order " + orderId + " has no certificate yet");
        }
        CertificateRecord r = certificates.findById(o.certificateSerial()).orElseThrow();
        X509Certificate leaf = Pem.certificate(r.certificateDer());
        return Pem.encode(leaf, ca.issuing().certificate());
    }

    /** By the account that ordered it, or by whoever signs with the certificate's own key. */
    @Transactional
    public void revoke(AcmeRequest req) {
        Object field = req.requirePayload().get("certificate");
        if (!(field instanceof String b64)) {
            throw AcmeProblem.malformed("revokeCert needs certificate (base64url DER)");
        }
        X509Certificate cert;
        try {
            cert = Pem.certificate(Base64.getUrlDecoder().decode(b64));
        } catch (RuntimeException e) {
            throw AcmeProblem.malformed("certificate is not a base64url DER certificate");
        }
        String serial = cert.getSerialNumber().toString(16);
        CertificateRecord record = certificates.lockById(serial)
                .filter(r -> Arrays.equals(r.certificateDer(), der(cert)))
                .orElseThrow(() -> AcmeProblem.unauthorized("this CA did not issue that certificate"));
        if (req.account() != null) {
            boolean ordered = orders.findByCertificateSerial(serial).map(o -> o.accountId().equals(req.account().id())).orElse(false);
            if (!ordered) {
                throw AcmeProblem.unauthorized("the account did not order this certificate");
            }
        } else if (!Jose.publicKey(req.key()).equals(cert.getPublicKey())) {
            throw AcmeProblem.unauthorized("the request is signed neither by the account nor by the certificate's key");
        }
        Object given = req.payload().get("reason");
        if (given != null && !(given instanceof Integer || given instanceof Long)) { // 1.9, "6", 2^32+1: not a code
            throw AcmeProblem.badRevocationReason("reason must be an RFC 5280 reason code (an integer)");
        }
        long code = given == null ? 0 : ((Number) given).longValue();
        RevocationReason reason = Arrays.stream(RevocationReason.values()).filter(r -> r.code() == code).findFirst()
                .orElseThrow(() -> AcmeProblem.badRevocationReason("reason " + code + " is not one this CA accepts"));
        if (record.status() == CertificateStatus.REVOKED) {
            throw AcmeProblem.alreadyRevoked("certificate " + serial + " is already revoked");
        }
        try {
            revocations.apply(record, reason, Entitlement.Source.ACME,
                    req.account() != null ? "acme:" + req.account().id() : "acme:certificate-key");
        } catch (AcmeProblem e) {
            throw e;
        } catch (dev.hsmca.appliance.domain.PkiException e) {
            if (e.kind() == dev.hsmca.appliance.domain.PkiException.Kind.FORBIDDEN) {
                throw AcmeProblem.badRevocationReason(e.getMessage()); // a holder's reasons only (RFC 8555 §7.6)
            }
            throw e;
        }
    }

    /** RFC 9773: {@code base64url(AKI keyIdentifier) "." base64url(serial)}; the CA's window for that certificate. */
    @Transactional(readOnly = true)
    public RenewalWindow renewalInfo(String certId) {
        String[] parts = certId.split("\\.");
        if (parts.length != 2) {
            throw AcmeProblem.malformed("a renewal info id is base64url(keyIdentifier).base64url(serial)");
        }
        String serial;
        try {
            serial = new BigInteger(Base64.getUrlDecoder().decode(parts[1])).toString(16);
        } catch (IllegalArgumentException e) {
            throw AcmeProblem.malformed("the serial part is not base64url");
        }
        return certificates.findById(serial).map(RenewalWindow::of)
                .orElseThrow(() -> AcmeProblem.notFound("no certificate " + serial));
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
