package dev.hsmca.hsm.ocsp;

import dev.hsmca.hsm.SigningKey;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Builds signed OCSP responses (RFC 6960) through the signing seam: used by the appliance to pre-sign and by
 * the responder to sign live. The responder ID is by key hash; the responder certificate is included.
 */
public final class OcspResponses {
    private static final DigestCalculatorProvider DIGESTS;

    static {
        try {
            DIGESTS = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OcspResponses() {
    }

    /** One answer in a response. */
    public record Single(CertificateID id, CertStatusInfo status) {
    }

    public static byte[] sign(List<Single> answers, SigningKey key, X509CertificateHolder responderCert,
                              Instant thisUpdate, Instant nextUpdate, byte[] nonce) {
        try {
            BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(
                    new RespID(responderCert.getSubjectPublicKeyInfo(), DIGESTS.get(CertificateID.HASH_SHA1)));
            for (Single s : answers) {
                builder.addResponse(s.id(), status(s.status()), Date.from(thisUpdate),
                        nextUpdate == null ? null : Date.from(nextUpdate));
            }
            if (nonce != null) {
                builder.setResponseExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false, new DEROctetString(nonce))));
            }
            var basic = builder.build(key.contentSigner(), new X509CertificateHolder[]{responderCert}, Date.from(thisUpdate));
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
        } catch (OCSPException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("OCSP response encoding failed", e);
        }
    }

    /** An unsigned error answer: malformedRequest (1), internalError (2), tryLater (3), unauthorized (6). */
    public static byte[] error(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static DigestCalculatorProvider digests() {
        return DIGESTS;
    }

    private static CertificateStatus status(CertStatusInfo s) {
        return switch (s.kind()) {
            case GOOD -> CertificateStatus.GOOD;
            case UNKNOWN -> new UnknownStatus();
            case REVOKED -> s.reasonCode() >= 0
                    ? new RevokedStatus(Date.from(s.revokedAt()), s.reasonCode())
                    : new RevokedStatus(Date.from(s.revokedAt()), CRLReason.unspecified);
        };
    }
}
