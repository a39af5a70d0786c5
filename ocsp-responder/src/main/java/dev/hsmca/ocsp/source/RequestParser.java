package dev.hsmca.ocsp.source;

import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.Req;

/** DER bytes to an {@link OcspQuery}, or {@link Malformed}. */
public final class RequestParser {
    public static final int MAX_NONCE = 32;
    public static final int MAX_CERT_IDS = 20;

    private RequestParser() {}

    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    public static OcspQuery parse(byte[] der) throws Malformed {
        if (der == null || der.length == 0) {
            throw new Malformed("empty request");
        }
        try {
            return parseChecked(der);
        } catch (RuntimeException e) {
            // BouncyCastle parses the inner structures lazily and throws unchecked exceptions on bad ones (found by
            // FuzzTest): any of them is a malformed request, never a 500.
            throw new Malformed("not a valid OCSPRequest");
        }
    }

    private static OcspQuery parseChecked(byte[] der) throws Malformed {
        OCSPReq req;
        try {
            req = new OCSPReq(der);
        } catch (Exception e) {
            throw new Malformed("not a DER OCSPRequest");
        }
        Req[] list = req.getRequestList();
        if (list.length == 0 || list.length > MAX_CERT_IDS) {
            throw new Malformed("a request needs 1 to " + MAX_CERT_IDS + " CertIDs");
        }
        List<CertificateID> ids = new ArrayList<>();
        for (Req r : list) {
            CertificateID id = r.getCertID();
            // touch every field now, so a bad one fails here rather than in a Source
            id.getHashAlgOID();
            id.getIssuerNameHash();
            id.getIssuerKeyHash();
            id.getSerialNumber();
            ids.add(id);
        }
        byte[] nonce = null;
        Extension ext = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (ext != null) {
            nonce = ext.getExtnValue().getOctets();
            int length = nonce.length;
            try {
                ASN1Primitive inner = ASN1Primitive.fromByteArray(nonce);
                if (inner instanceof ASN1OctetString s) {
                    length = s.getOctets().length;
                }
            } catch (Exception e) {
                // a bare nonce: its own length counts
            }
            if (length < 1 || length > MAX_NONCE) {
                throw new Malformed("nonce must be 1 to " + MAX_NONCE + " bytes (RFC 8954)");
            }
        }
        return new OcspQuery(ids, nonce);
    }
}
