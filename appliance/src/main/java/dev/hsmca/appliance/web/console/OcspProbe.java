package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.UrlConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
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
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * What the OCSP responder answers for a certificate, asked as a relying party asks it (the URL certificates name):
 * the console shows it beside the stored status, so an operator sees what clients see. Two seconds at most.
 */
@Singleton
public class OcspProbe {
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final int MAX_ANSWER = 64 * 1024;

    private final UrlConfig urls;
    private final CaHierarchy ca;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public OcspProbe(UrlConfig urls, CaHierarchy ca) {
        this.urls = urls;
        this.ca = ca;
    }

    /**
     * Signed by the issuing CA, or by a responder certificate the issuing CA issued for OCSP signing (RFC 6960
     * section 4.2.2.2): an answer from anything else listening at the URL is not shown as the CA's.
     */
    private boolean signedForTheCa(BasicOCSPResp basic)
            throws OCSPException, OperatorCreationException, CertificateException {
        X509Certificate issuing = ca.issuing().certificate();
        JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder();
        if (basic.isSignatureValid(verifiers.build(issuing.getPublicKey()))) {
            return true;
        }
        for (X509CertificateHolder holder : basic.getCerts()) {
            X509Certificate responder = new JcaX509CertificateConverter().getCertificate(holder);
            try {
                responder.verify(issuing.getPublicKey());
                responder.checkValidity();
            } catch (GeneralSecurityException e) {
                continue;
            }
            List<String> usages = responder.getExtendedKeyUsage();
            if (usages != null
                    && usages.contains(KeyPurposeId.id_kp_OCSPSigning.getId())
                    && basic.isSignatureValid(verifiers.build(responder.getPublicKey()))) {
                return true;
            }
        }
        return false;
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
            HttpResponse<InputStream> r = http.sendAsync(
                            HttpRequest.newBuilder(URI.create(urls.ocsp()))
                                    .timeout(TIMEOUT)
                                    .header("Content-Type", "application/ocsp-request")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream())
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            byte[] answer;
            try (InputStream in = r.body()) {
                answer = in.readNBytes(MAX_ANSWER + 1);
            }
            if (r.statusCode() != 200 || answer.length > MAX_ANSWER) {
                return "the responder answered HTTP " + r.statusCode();
            }
            OCSPResp resp = new OCSPResp(answer);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                return "the responder answered status " + resp.getStatus();
            }
            BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
            if (!signedForTheCa(basic)) {
                return "the responder's answer is not signed for this CA";
            }
            for (SingleResp single : basic.getResponses()) {
                if (single.getCertID().equals(id)) {
                    Object status = single.getCertStatus();
                    return status == null ? "good" : status instanceof RevokedStatus ? "revoked" : "unknown";
                }
            }
            return "the responder's answer is about another certificate";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not asked (interrupted)";
        } catch (TimeoutException e) {
            return "the responder at " + urls.ocsp() + " did not answer within " + TIMEOUT.toSeconds() + " s";
        } catch (IOException
                | OCSPException
                | OperatorCreationException
                | CertificateException
                | ExecutionException
                | RuntimeException e) {
            return "the responder at " + urls.ocsp() + " could not be asked ("
                    + e.getClass().getSimpleName() + ")";
        }
    }
}
