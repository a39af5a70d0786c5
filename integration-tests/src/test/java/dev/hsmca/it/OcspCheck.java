package dev.hsmca.it;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/** Asks a responder for one serial's status and checks the signature, as a relying party would. */
final class OcspCheck {
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final X509CertificateHolder issuer;

    OcspCheck(String url, X509Certificate issuer) throws Exception {
        this.url = url;
        this.issuer = new X509CertificateHolder(issuer.getEncoded());
    }

    /** good, revoked, unknown, or the OCSPResponseStatus of an error answer ("error-3" for tryLater). */
    String status(String serialHex) throws Exception {
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                issuer,
                new BigInteger(serialHex, 16));
        byte[] request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        HttpResponse<byte[]> r = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        OCSPResp resp = new OCSPResp(r.body());
        if (resp.getStatus() != 0) {
            return "error-" + resp.getStatus();
        }
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        X509CertificateHolder signer = basic.getCerts().length > 0 ? basic.getCerts()[0] : issuer;
        if (!basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer))) {
            return "bad-signature";
        }
        SingleResp single = basic.getResponses()[0];
        Object status = single.getCertStatus();
        return status == null ? "good" : status instanceof RevokedStatus ? "revoked" : "unknown";
    }
}
