package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.UrlConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * What the OCSP responder answers for a certificate, asked as a relying party asks it (the URL certificates name):
 * the console shows it beside the stored status, so an operator sees what clients see. Two seconds at most.
 */
@Singleton
public class OcspProbe {
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final UrlConfig urls;
    private final CaHierarchy ca;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public OcspProbe(UrlConfig urls, CaHierarchy ca) {
        this.urls = urls;
        this.ca = ca;
    }

    /** "good", "revoked", "unknown", or why the responder could not be asked. */
    public String status(String serialHex) {
        try {
            DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
            CertificateID id = new CertificateID(
                    digests.get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(ca.issuing().certificate()),
                    new BigInteger(serialHex, 16));
            byte[] body = new OCSPReqBuilder().addRequest(id).build().getEncoded();
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(URI.create(urls.ocsp()))
                            .timeout(TIMEOUT)
                            .header("Content-Type", "application/ocsp-request")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                return "the responder answered HTTP " + r.statusCode();
            }
            OCSPResp resp = new OCSPResp(r.body());
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                return "the responder answered status " + resp.getStatus();
            }
            SingleResp single = ((BasicOCSPResp) resp.getResponseObject()).getResponses()[0];
            Object status = single.getCertStatus();
            return status == null ? "good" : status instanceof RevokedStatus ? "revoked" : "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not asked (interrupted)";
        } catch (IOException
                | OCSPException
                | OperatorCreationException
                | CertificateEncodingException
                | RuntimeException e) {
            return "the responder at " + urls.ocsp() + " could not be asked ("
                    + e.getClass().getSimpleName() + ")";
        }
    }
}
