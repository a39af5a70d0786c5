package dev.hsmca.it;

import java.security.SecureRandom;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;

/** Re-builds an OCSP request with a nonce of a chosen length (openssl always uses 16 bytes). */
final class RequestWithNonce {
    private RequestWithNonce() {}

    static byte[] build(byte[] request, int nonceLength) throws Exception {
        OCSPReq original = new OCSPReq(request);
        OCSPReqBuilder b = new OCSPReqBuilder();
        for (var r : original.getRequestList()) {
            b.addRequest(r.getCertID());
        }
        byte[] nonce = new byte[nonceLength];
        new SecureRandom().nextBytes(nonce);
        b.setRequestExtensions(new Extensions(new Extension(
                OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(new DEROctetString(nonce)))));
        return b.build().getEncoded();
    }
}
