package dev.hsmca.ocsp.web;

import dev.hsmca.ocsp.source.KnownIssuers;
import dev.hsmca.ocsp.store.Store;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the hot path before the responder reports ready ({@code pki.ocsp.warmup}, 1.5 s by default; 0 turns it off),
 * so its first clients do not pay for the JIT: two loopback connections send real OCSP requests over HTTP (POST and
 * RFC 5019 GET; pre-signed serials from the store, unknown serials, nonces) through the whole pipeline. {@code /health}
 * answers 503 until it is done, so a load balancer sends nothing before. The requests carry a per-process secret
 * header, so the OCSP metrics count only clients. Requests arriving meanwhile are served as usual.
 */
@Singleton
public class Warmup implements ApplicationEventListener<ServerStartupEvent> {
    static final String HEADER = "X-Ocsp-Warmup";
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    private static final int CONNECTIONS = 2;

    private final KnownIssuers issuers;
    private final Store.Presigned presigned;
    private final Duration duration;
    private final String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final CountDownLatch done = new CountDownLatch(1);

    public Warmup(
            KnownIssuers issuers, Store.Presigned presigned, @Value("${pki.ocsp.warmup:1500ms}") Duration duration) {
        this.issuers = issuers;
        this.presigned = presigned;
        this.duration = duration;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        if (duration.isZero() || duration.isNegative()) {
            done.countDown();
            return;
        }
        int port = event.getSource().getPort();
        Thread t = new Thread(() -> run(port), "ocsp-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** Whether the warm-up has ended (or never ran). */
    public boolean done() {
        return done.getCount() == 0;
    }

    /** Waits for the end of the warm-up, at most this long; true if it ended. */
    public boolean await(Duration max) throws InterruptedException {
        return done.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether a request is the warm-up's own (constant time: the header is a secret of this process). */
    boolean own(String header) {
        return header != null
                && MessageDigest.isEqual(
                        token.getBytes(StandardCharsets.US_ASCII), header.getBytes(StandardCharsets.US_ASCII));
    }

    /** The header value its own requests carry. */
    String secret() {
        return token;
    }

    private void run(int port) {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicLong n = new AtomicLong();
        int kinds = 0;
        try {
            List<byte[]> requests = requests();
            kinds = requests.size();
            List<Thread> drivers = new ArrayList<>();
            List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < CONNECTIONS; i++) {
                Thread d = new Thread(
                        () -> {
                            try {
                                n.addAndGet(drive(port, requests, end));
                            } catch (IOException | RuntimeException e) {
                                failures.add(e);
                            }
                        },
                        "ocsp-warmup-" + i);
                d.setDaemon(true);
                d.start();
                drivers.add(d);
            }
            for (Thread d : drivers) {
                d.join();
            }
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
        } catch (Exception e) {
            // a store that is not there yet: the first clients warm it instead
            LOG.info("OCSP warm-up stopped early: {}", e.toString());
        }
        done.countDown();
        LOG.info(
                "OCSP warm-up: {} answers to {} kinds of request in {} ms",
                n.get(),
                kinds,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** One kept-alive connection sending the requests in turn until the deadline; returns how many were answered. */
    private long drive(int port, List<byte[]> requests, long end) throws IOException {
        long n = 0;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            do { // each kind of request at least once, however slow the start was: warmed is an outcome, not a rate
                for (int i = 0; i < requests.size(); i++) {
                    byte[] der = requests.get(i);
                    // GETs both ways clients send them: URL-safe, and standard base64 with %-escapes (most do)
                    String head = i % 4 == 3
                            ? "GET /" + Base64.getUrlEncoder().encodeToString(der) + " HTTP/1.1\r\n"
                            : i % 4 == 1
                                    ? "GET /"
                                            + URLEncoder.encode(
                                                    Base64.getEncoder().encodeToString(der), StandardCharsets.US_ASCII)
                                            + " HTTP/1.1\r\n"
                                    : "POST / HTTP/1.1\r\nContent-Type: application/ocsp-request\r\nContent-Length: "
                                            + der.length + "\r\n";
                    out.write((head + "Host: 127.0.0.1\r\n" + HEADER + ": " + token + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    if (head.startsWith("POST")) {
                        out.write(der);
                    }
                    out.flush();
                    readResponse(in);
                    n++;
                }
            } while (System.nanoTime() < end);
        }
        return n;
    }

    private static void readResponse(DataInputStream in) throws IOException {
        int length = -1;
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        if (length < 0) {
            throw new IOException("warm-up answer without a length");
        }
        in.readFully(new byte[length]);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed during the warm-up");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /** For every known issuer and both CertID hashes: pre-signed serials (hits), an unknown one, and with a nonce. */
    private List<byte[]> requests() throws Exception {
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        SecureRandom random = new SecureRandom();
        List<byte[]> out = new ArrayList<>();
        for (KnownIssuers.Issuer issuer : issuers.all()) {
            List<BigInteger> serials =
                    new ArrayList<>(presigned.someSerials(issuer.row().id()).stream()
                            .map(s -> new BigInteger(s, 16))
                            .toList());
            serials.add(new BigInteger(127, random));
            for (var alg : List.of(CertificateID.HASH_SHA1, new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256))) {
                for (BigInteger serial : serials) {
                    CertificateID id = new CertificateID(digests.get(alg), issuer.certificate(), serial);
                    out.add(new OCSPReqBuilder().addRequest(id).build().getEncoded());
                    byte[] nonce = new byte[16];
                    random.nextBytes(nonce);
                    out.add(new OCSPReqBuilder()
                            .addRequest(id)
                            .setRequestExtensions(new Extensions(new Extension(
                                    OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                                    false,
                                    new DEROctetString(new DEROctetString(nonce)))))
                            .build()
                            .getEncoded());
                }
            }
        }
        return out;
    }
}
