package dev.hsmca.core.ocsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.SigningKey;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.Test;

/**
 * OcspResponses builds the response from ASN.1 types (for its faster times): the bytes that are signed, the
 * certificates and the envelope must be BouncyCastle's BasicOCSPRespBuilder's, for every status and option.
 * The signature itself (ECDSA, randomized) is checked by verifying it.
 */
class OcspResponsesTest {
    static final Instant THIS = Instant.parse("2026-11-26T10:30:00Z");
    static final Instant NEXT = Instant.parse("2026-11-30T10:30:00Z");

    final KeyPair pair = ecPair();
    final X509CertificateHolder responder = selfSigned(pair);
    final SigningKey key = new SigningKey() {
        @Override
        public String alias() {
            return "test";
        }

        @Override
        public PublicKey publicKey() {
            return pair.getPublic();
        }

        @Override
        public String signatureAlgorithm() {
            return "SHA256withECDSA";
        }

        @Override
        public ContentSigner contentSigner() {
            try {
                return new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    };

    @Test
    void sameBytesAsBouncyCastlesBuilder() throws Exception {
        CertificateID id = new CertificateID(
                OcspResponses.digests().get(CertificateID.HASH_SHA1), responder, BigInteger.valueOf(4711));
        CertificateID other = new CertificateID(
                OcspResponses.digests().get(CertificateID.HASH_SHA1), responder, BigInteger.valueOf(99));
        Instant revokedAt = Instant.parse("2026-11-20T08:00:00.250Z");
        List<List<OcspResponses.Single>> cases = List.of(
                List.of(new OcspResponses.Single(id, CertStatusInfo.good())),
                List.of(new OcspResponses.Single(id, CertStatusInfo.unknown())),
                List.of(new OcspResponses.Single(id, CertStatusInfo.revoked(revokedAt, CRLReason.keyCompromise))),
                List.of(new OcspResponses.Single(id, CertStatusInfo.revoked(revokedAt, -1))),
                List.of(
                        new OcspResponses.Single(id, CertStatusInfo.good()),
                        new OcspResponses.Single(other, CertStatusInfo.unknown())));
        for (List<OcspResponses.Single> answers : cases) {
            for (byte[] nonce :
                    new byte[][] {null, new byte[] {4, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}) {
                for (Instant next : new Instant[] {NEXT, null}) {
                    BasicOCSPResp ours = basic(OcspResponses.sign(answers, key, responder, THIS, next, nonce));
                    BasicOCSPResp theirs = basic(reference(answers, next, nonce));
                    assertArrayEquals(theirs.getTBSResponseData(), ours.getTBSResponseData(), answers + " " + next);
                    assertEquals(theirs.getSignatureAlgorithmID(), ours.getSignatureAlgorithmID());
                    assertArrayEquals(theirs.getCerts()[0].getEncoded(), ours.getCerts()[0].getEncoded());
                    assertTrue(ours.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pair.getPublic())));
                    assertEquals(THIS, ours.getProducedAt().toInstant());
                }
            }
        }
    }

    /** What OcspResponses.sign did with BouncyCastle's builders before. */
    byte[] reference(List<OcspResponses.Single> answers, Instant next, byte[] nonce) throws Exception {
        BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(new RespID(
                responder.getSubjectPublicKeyInfo(), OcspResponses.digests().get(CertificateID.HASH_SHA1)));
        for (OcspResponses.Single s : answers) {
            CertStatusInfo i = s.status();
            CertificateStatus status = switch (i.kind()) {
                case GOOD -> CertificateStatus.GOOD;
                case UNKNOWN -> new UnknownStatus();
                case REVOKED ->
                    new RevokedStatus(
                            Date.from(i.revokedAt()), i.reasonCode() >= 0 ? i.reasonCode() : CRLReason.unspecified);
            };
            builder.addResponse(s.id(), status, Date.from(THIS), next == null ? null : Date.from(next));
        }
        if (nonce != null) {
            builder.setResponseExtensions(new Extensions(
                    new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce))));
        }
        var basic = builder.build(key.contentSigner(), new X509CertificateHolder[] {responder}, Date.from(THIS));
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
    }

    static BasicOCSPResp basic(byte[] der) throws Exception {
        OCSPResp r = new OCSPResp(der);
        assertEquals(0, r.getStatus());
        return (BasicOCSPResp) r.getResponseObject();
    }

    static KeyPair ecPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509CertificateHolder selfSigned(KeyPair pair) {
        try {
            X500Name name = new X500Name("CN=responder");
            return new JcaX509v3CertificateBuilder(
                            name, BigInteger.ONE, Date.from(THIS), Date.from(NEXT), name, pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
