package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.RenewalWindow;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeOrder;
import dev.hsmca.appliance.store.AcmeRepositories;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.CertificateStatus;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
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

    public AcmeCertificates(
            AcmeRepositories.Orders orders,
            CertificateRepository certificates,
            Revocations revocations,
            CaHierarchy ca) {
        this.orders = orders;
        this.certificates = certificates;
        this.revocations = revocations;
        this.ca = ca;
    }

    /** The issued certificate then the issuing CA (PEM), for the order's account. */
    @Transactional(readOnly = true)
    public String chain(AcmeAccount account, String orderId) {
        AcmeOrder o = orders.findById(orderId).orElseThrow(() -> AcmeProblem.notFound("no order " + orderId));
        if (!account.id().equals(o.accountId())) {
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
    public void revoke(Revoke req) {
        X509Certificate cert = req.certificate();
        String serial = cert.getSerialNumber().toString(16);
        CertificateRecord record = certificates
                .lockById(serial)
                .filter(r -> Arrays.equals(r.certificateDer(), der(cert)))
                .orElseThrow(() -> AcmeProblem.unauthorized("this CA did not issue that certificate"));
        String actor;
        if (req.requester() instanceof Revoke.ByAccount by) {
            boolean ordered = orders.findByCertificateSerial(serial)
                    .map(o -> o.accountId().equals(by.account().id()))
                    .orElse(false);
            if (!ordered) {
                throw AcmeProblem.unauthorized("the account did not order this certificate");
            }
            actor = "acme:" + by.account().id();
        } else if (req.requester() instanceof Revoke.ByCertificateKey by
                && by.key().equals(cert.getPublicKey())) {
            actor = "acme:certificate-key";
        } else {
            throw AcmeProblem.unauthorized("the request is signed neither by the account nor by the certificate's key");
        }
        if (record.status() == CertificateStatus.REVOKED) {
            throw AcmeProblem.alreadyRevoked("certificate " + serial + " is already revoked");
        }
        try {
            revocations.apply(record, req.reason(), Entitlement.Source.ACME, actor);
        } catch (AcmeProblem e) {
            throw e;
        } catch (PkiException e) {
            if (e.kind() == PkiException.Kind.FORBIDDEN) {
                throw AcmeProblem.badRevocationReason(e.getMessage()); // a holder's reasons only (RFC 8555 §7.6)
            }
            throw e;
        }
    }

    /** RFC 9773: {@code base64url(AKI keyIdentifier) "." base64url(serial)}; the CA's window for that certificate. */
    @Transactional(readOnly = true)
    @SuppressWarnings(
            "StringSplitter") // split's dropping of a trailing empty part is what the id check has always seen
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
        return certificates
                .findById(serial)
                .map(RenewalWindow::of)
                .orElseThrow(() -> AcmeProblem.notFound("no certificate " + serial));
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
