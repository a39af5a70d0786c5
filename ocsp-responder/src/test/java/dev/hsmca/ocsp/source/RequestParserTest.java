package dev.hsmca.ocsp.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

class RequestParserTest {

    static CertificateID id(long serial) throws Exception {
        var digest = new JcaDigestCalculatorProviderBuilder()
                .build()
                .get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE));
        return new CertificateID(new CertID(
                digest.getAlgorithmIdentifier(),
                new DEROctetString(new byte[20]),
                new DEROctetString(new byte[20]),
                new ASN1Integer(BigInteger.valueOf(serial))));
    }

    static byte[] request(int nonceLength, int ids) throws Exception {
        OCSPReqBuilder b = new OCSPReqBuilder();
        for (int i = 0; i < ids; i++) {
            b.addRequest(id(100 + i));
        }
        if (nonceLength >= 0) {
            b.setRequestExtensions(new Extensions(new Extension(
                    OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                    false,
                    new DEROctetString(new DEROctetString(new byte[nonceLength])))));
        }
        return b.build().getEncoded();
    }

    @Test
    void parsesCertIdsAndNonce() throws Exception {
        OcspQuery q = RequestParser.parse(request(16, 3));
        assertEquals(3, q.ids().size());
        assertEquals(BigInteger.valueOf(101), q.ids().get(1).getSerialNumber());
        assertArrayEquals(new DEROctetString(new byte[16]).getEncoded(), q.nonce());
        assertNull(RequestParser.parse(request(-1, 1)).nonce());
    }

    @Test
    void refusesWhatRfc6960And8954Refuse() throws Exception {
        assertThrows(RequestParser.Malformed.class, () -> RequestParser.parse(new byte[0]));
        assertThrows(RequestParser.Malformed.class, () -> RequestParser.parse(new byte[] {0x30, 0x03, 0x02, 0x01}));
        assertThrows(RequestParser.Malformed.class, () -> RequestParser.parse(request(33, 1)));
        assertThrows(RequestParser.Malformed.class, () -> RequestParser.parse(request(0, 1)));
        assertThrows(
                RequestParser.Malformed.class, () -> RequestParser.parse(request(-1, RequestParser.MAX_CERT_IDS + 1)));
        assertEquals(32, RequestParser.parse(request(32, 1)).nonce().length - 2);
    }

    @Test
    void aCertIdWithAWrongInnerTypeIsMalformedNotA500() {
        // found by FuzzTest: a tagged object where issuerNameHash belongs made BouncyCastle throw an unchecked
        // exception
        var certId = new DERSequence(new ASN1Encodable[] {
            new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE),
            new DERTaggedObject(0, new DEROctetString(new byte[20])),
            new DEROctetString(new byte[20]),
            new ASN1Integer(7)
        });
        var request = new DERSequence(new DERSequence(new DERSequence(new DERSequence(certId))));
        RequestParser.Malformed e =
                assertThrows(RequestParser.Malformed.class, () -> RequestParser.parse(request.getEncoded()));
        assertEquals("not a valid OCSPRequest", e.getMessage());
    }
}
