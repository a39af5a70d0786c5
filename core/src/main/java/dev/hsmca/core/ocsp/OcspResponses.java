package dev.hsmca.core.ocsp;

import dev.hsmca.core.Asn1Times;
import dev.hsmca.hsm.SigningKey;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.asn1.ocsp.CertStatus;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPResponse;
import org.bouncycastle.asn1.ocsp.OCSPResponseStatus;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.ocsp.ResponseBytes;
import org.bouncycastle.asn1.ocsp.ResponseData;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.ocsp.SingleResponse;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

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

    private OcspResponses() {}

    /** One answer in a response. */
    public record Single(CertificateID id, CertStatusInfo status) {}

    /**
     * The response built from BouncyCastle's ASN.1 types, as {@code BasicOCSPRespBuilder} builds it, but with its
     * times made by {@link Asn1Times} (the builder's {@code Date} times cost a {@code SimpleDateFormat} each).
     * {@code OcspResponsesTest} holds the two to the same bytes.
     */
    public static byte[] sign(
            List<Single> answers,
            SigningKey key,
            X509CertificateHolder responderCert,
            Instant thisUpdate,
            Instant nextUpdate,
            byte[] nonce) {
        try {
            ASN1GeneralizedTime thisTime = Asn1Times.generalized(thisUpdate);
            ASN1GeneralizedTime nextTime = nextUpdate == null ? null : Asn1Times.generalized(nextUpdate);
            ASN1EncodableVector singles = new ASN1EncodableVector(answers.size());
            for (Single s : answers) {
                singles.add(new SingleResponse(
                        s.id().toASN1Primitive(), status(s.status()), thisTime, nextTime, (Extensions) null));
            }
            Extensions extensions = nonce == null
                    ? null
                    : new Extensions(
                            new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce)));
            ResponseData data =
                    new ResponseData(responderId(responderCert), thisTime, new DERSequence(singles), extensions);
            ContentSigner signer = key.contentSigner();
            try (OutputStream out = signer.getOutputStream()) {
                data.encodeTo(out, ASN1Encoding.DER);
            }
            BasicOCSPResponse basic = new BasicOCSPResponse(
                    data,
                    signer.getAlgorithmIdentifier(),
                    new DERBitString(signer.getSignature()),
                    new DERSequence(responderCert.toASN1Structure()));
            return new OCSPResponse(
                            new OCSPResponseStatus(OCSPResponseStatus.SUCCESSFUL),
                            new ResponseBytes(
                                    OCSPObjectIdentifiers.id_pkix_ocsp_basic, new DEROctetString(basic.getEncoded())))
                    .getEncoded();
        } catch (OCSPException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("OCSP response encoding failed", e);
        }
    }

    /** By key hash (SHA-1 of the key's bits), as RFC 6960 §4.2.1 and RFC 5019 §2.2.3 recommend. */
    private static ResponderID responderId(X509CertificateHolder responderCert)
            throws OCSPException, OperatorCreationException {
        return new RespID(responderCert.getSubjectPublicKeyInfo(), DIGESTS.get(CertificateID.HASH_SHA1))
                .toASN1Primitive();
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

    /** As {@code BasicOCSPRespBuilder} encodes good, unknown and revoked (with a reason, unspecified if none). */
    private static CertStatus status(CertStatusInfo s) {
        return switch (s.kind()) {
            case GOOD -> new CertStatus();
            case UNKNOWN -> new CertStatus(2, DERNull.INSTANCE);
            case REVOKED ->
                new CertStatus(new RevokedInfo(
                        new ASN1GeneralizedTime(Date.from(s.revokedAt())),
                        CRLReason.lookup(s.reasonCode() >= 0 ? s.reasonCode() : CRLReason.unspecified)));
        };
    }
}
