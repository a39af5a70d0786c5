package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.Responder;
import dev.hsmca.ocsp.source.KnownIssuers;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Warms the hot path at start ({@code pki.ocsp.warmup}, 2 s by default; 0 turns it off), so the first clients do
 * not pay for the JIT: the OCSP chain is run for random serials of every known issuer (parse, issuer filter, store,
 * answer; with nonces too when the responder signs live, which also opens the HSM) and the HTTP pipeline is driven
 * with requests to {@code /health}. The chain is called directly, not over HTTP, so the OCSP metrics count only
 * clients. Requests arriving meanwhile are served as usual.
 */
@Singleton
public class Warmup implements ApplicationEventListener<ServerStartupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);

    private final Responder responder;
    private final KnownIssuers issuers;
    private final Duration duration;
    private volatile long answers = -1;

    public Warmup(Responder responder, KnownIssuers issuers, @Value("${pki.ocsp.warmup:2s}") Duration duration) {
        this.responder = responder;
        this.issuers = issuers;
        this.duration = duration;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        if (duration.isZero() || duration.isNegative()) {
            return;
        }
        int port = event.getSource().getPort();
        Thread t = new Thread(() -> run(port), "ocsp-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** How many chain answers the warm-up made; -1 before it ended. */
    public long answers() {
        return answers;
    }

    private void run(int port) {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long n = 0;
        try {
            List<byte[]> requests = requests();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(1)).build();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            while (System.nanoTime() < end && !requests.isEmpty()) {
                for (byte[] r : requests) {
                    responder.answer(r);
                    n++;
                }
                http.send(health, HttpResponse.BodyHandlers.discarding());
            }
        } catch (Exception e) {
            // a store or HSM that is not there yet: the first clients warm it instead
            LOG.info("OCSP warm-up stopped early: {}", e.toString());
        }
        answers = n;
        LOG.info("OCSP warm-up: {} answers in {} ms", n, (System.nanoTime() - start) / 1_000_000);
    }

    private List<byte[]> requests() throws Exception {
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        SecureRandom random = new SecureRandom();
        List<byte[]> out = new ArrayList<>();
        for (KnownIssuers.Issuer issuer : issuers.all()) {
            for (var alg : List.of(CertificateID.HASH_SHA1, new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                    org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256))) {
                CertificateID id = new CertificateID(digests.get(alg), issuer.certificate(), new BigInteger(127, random));
                out.add(new OCSPReqBuilder().addRequest(id).build().getEncoded());
                byte[] nonce = new byte[16];
                random.nextBytes(nonce);
                out.add(new OCSPReqBuilder().addRequest(id).setRequestExtensions(new Extensions(new Extension(
                        OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(new DEROctetString(nonce)))))
                        .build().getEncoded());
            }
        }
        return out;
    }
}
