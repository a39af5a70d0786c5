package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The appliance issues and revokes; the responder (its own process, live signing through the same SoftHSM token
 * for nonce requests, pre-signed answers otherwise) answers openssl, curl and Java's PKIX revocation checker.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OcspEndToEndTest implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.postgres().with("pki.crl.publish-delay", "300ms").initialize();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    Path dir;
    String serial;

    /** The leaves name the responder for OCSP, their CRL and their issuer's certificate. */
    @Override
    public Map<String, String> getProperties() {
        if (responder == null) {
            // live answers on the lane, as with a network HSM (SoftHSM's default signs on the event loops; the other
            // responder tests cover that)
            Map<String, String> props = new HashMap<>(APP.shared());
            props.put("pki.ocsp.live-threads", "2");
            responder = ResponderProcess.start(props, true);
        }
        Map<String, String> p = new HashMap<>(E2e.withOcspUrl(APP, responder));
        p.put("pki.urls.crl-base", responder.url() + "/crl");
        p.put("pki.urls.ca-issuers-base", responder.url() + "/ca");
        return p;
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("ocsp-e2e");
        serial = E2e.issueLeaf(APP, server.getPort(), dir);
    }

    @AfterAll
    void stop() {
        if (responder != null) {
            responder.close();
        }
    }

    Shell.Result ocsp(String... extra) {
        return E2e.ocsp(dir, responder.url(), extra);
    }

    Shell.Result crlVerify() {
        return crlVerify(dir);
    }

    Shell.Result crlVerify(Path in) {
        Shell.exec(in, "curl", "-sSf", "-o", "crl.pem", responder.url() + "/crl/issuing.pem")
                .ok();
        return Shell.exec(
                in,
                "openssl",
                "verify",
                "-crl_check",
                "-CRLfile",
                "crl.pem",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "issuing.pem",
                "leaf.pem");
    }

    @Test
    void goodWithAndWithoutNonceAndUnknownSerial() {
        Shell.Result withNonce = ocsp("-cert", "leaf.pem");
        assertEquals(0, withNonce.exit(), withNonce.output());
        assertTrue(withNonce.output().contains("Response verify OK"), withNonce.output());
        assertTrue(withNonce.output().contains("leaf.pem: good"), withNonce.output());
        assertTrue(withNonce.output().contains("Nonce"), "live answer echoes the nonce: " + withNonce.output());

        Shell.Result noNonce = ocsp("-cert", "leaf.pem", "-no_nonce");
        assertTrue(
                noNonce.output().contains("Response verify OK")
                        && noNonce.output().contains("leaf.pem: good"),
                noNonce.output());
        assertTrue(
                noNonce.output().contains("Responder Id: byKey")
                        || noNonce.output().contains("Responder Id"),
                noNonce.output());

        Shell.Result sha256 = ocsp("-sha256", "-cert", "leaf.pem", "-no_nonce");
        assertTrue(sha256.output().contains("leaf.pem: good"), sha256.output());

        Shell.Result unknown = ocsp("-serial", "0x1234567890abcdef1234", "-no_nonce");
        assertTrue(unknown.output().contains(": unknown"), unknown.output());
        Shell.Result unknownLive = ocsp("-serial", "0x1234567890abcdef1234");
        assertTrue(unknownLive.output().contains(": unknown"), unknownLive.output());

        // Two CertIDs in one request.
        Shell.Result two = ocsp("-cert", "leaf.pem", "-serial", "0x99", "-no_nonce");
        assertTrue(two.output().contains("leaf.pem: good") && two.output().contains("0x99: unknown"), two.output());
        // the nonce answers were signed on the lane (pki.ocsp.live-threads=2 here), not on an event loop
        Shell.Result threads = Shell.exec(dir, "jcmd", Long.toString(responder.pid()), "Thread.print");
        assertTrue(threads.output().contains("\"ocsp-live-1\""), threads.output());
    }

    @Test
    void getWithCachingHeaders() throws Exception {
        Shell.exec(
                        dir,
                        "openssl",
                        "ocsp",
                        "-issuer",
                        "issuing.pem",
                        "-cert",
                        "leaf.pem",
                        "-no_nonce",
                        "-reqout",
                        "req.der")
                .ok();
        String b64 = URLEncoder.encode(
                Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("req.der"))),
                StandardCharsets.US_ASCII);
        HttpResponse<byte[]> r = responder.get("/" + b64);
        assertEquals(200, r.statusCode());
        assertEquals(
                "application/ocsp-response",
                r.headers().firstValue("content-type").orElse(""));
        String cache = r.headers().firstValue("cache-control").orElse("");
        assertTrue(
                cache.contains("max-age=")
                        && cache.contains("public")
                        && cache.contains("no-transform")
                        && cache.contains("must-revalidate"),
                cache);
        long maxAge = Long.parseLong(cache.replaceAll(".*max-age=(\\d+).*", "$1"));
        assertTrue(maxAge > 0 && maxAge <= 3600, cache + ": at most pki.ocsp.http-max-age (1 h), not until nextUpdate");
        // the headers name this response (they are made once per pre-signed response, then reused)
        var single = ((BasicOCSPResp) new OCSPResp(r.body()).getResponseObject()).getResponses()[0];
        DateTimeFormatter http = DateTimeFormatter.RFC_1123_DATE_TIME;
        assertEquals(
                http.format(single.getThisUpdate().toInstant().atOffset(ZoneOffset.UTC)),
                r.headers().firstValue("last-modified").orElse(""));
        // Expires says what max-age says (the two are read from the clock a moment apart: a second either way)
        Instant date = ZonedDateTime.parse(r.headers().firstValue("date").orElseThrow(), http)
                .toInstant();
        Instant expires = ZonedDateTime.parse(r.headers().firstValue("expires").orElseThrow(), http)
                .toInstant();
        assertTrue(
                Math.abs(Duration.between(date.plusSeconds(maxAge), expires).toSeconds()) <= 1,
                "Expires " + expires + ", Date " + date + ", " + cache);
        assertTrue(expires.isBefore(single.getNextUpdate().toInstant()), "before nextUpdate");
        String etag = "\""
                + HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(r.body()))
                        .substring(0, 32)
                + "\"";
        assertEquals(etag, r.headers().firstValue("etag").orElse(""));
        HttpResponse<byte[]> again = responder.get("/" + b64);
        assertEquals(etag, again.headers().firstValue("etag").orElse(""), "the same response, the same tag");
        Files.write(dir.resolve("get.der"), r.body());
        Shell.Result parsed = Shell.exec(
                dir,
                "openssl",
                "ocsp",
                "-respin",
                "get.der",
                "-issuer",
                "issuing.pem",
                "-CAfile",
                "root.pem",
                "-cert",
                "leaf.pem",
                "-resp_text");
        assertTrue(parsed.output().contains("leaf.pem: good"), parsed.output());
        // curl, as a client would fetch it
        Shell.Result viaCurl = Shell.exec(dir, "curl", "-sSf", "-o", "curl.der", responder.url() + "/ocsp/" + b64);
        assertEquals(0, viaCurl.exit(), viaCurl.output());
    }

    /**
     * The fast path (in the Netty pipeline) and the controller (behind the router) answer alike: the same request,
     * sent alone (fast path) and pipelined behind a request for the router (which then answers it, in order).
     */
    @Test
    void theFastPathAndTheControllerAnswerAlike() throws Exception {
        Shell.exec(
                        dir,
                        "openssl",
                        "ocsp",
                        "-issuer",
                        "issuing.pem",
                        "-cert",
                        "leaf.pem",
                        "-no_nonce",
                        "-reqout",
                        "alike.der")
                .ok();
        byte[] der = Files.readAllBytes(dir.resolve("alike.der"));
        String get = "GET /" + URLEncoder.encode(Base64.getEncoder().encodeToString(der), StandardCharsets.US_ASCII)
                + " HTTP/1.1\r\nHost: x\r\n\r\n";
        String post = "POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\nContent-Length: "
                + der.length + "\r\n\r\n" + new String(der, StandardCharsets.ISO_8859_1);
        String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        List<RawReply> alone = raw(get + post);
        List<RawReply> behind = raw(health + get + post);
        assertEquals(3, behind.size());
        assertTrue(behind.get(0).body().contains("UP"), behind.get(0).body());
        for (int i = 0; i < 2; i++) {
            RawReply fast = alone.get(i);
            RawReply routed = behind.get(i + 1);
            assertEquals(200, fast.status());
            assertEquals(fast.body(), routed.body(), "the same pre-signed response");
            // Date is the moment of each answer, and a bounded Expires is that moment plus max-age: both move with
            // the clock between the two answers (a second boundary may fall between them); the rest is the same
            Instant fastDate = httpDate(fast.headers().remove("date"));
            Instant routedDate = httpDate(routed.headers().remove("date"));
            String fastExpires = fast.headers().remove("expires");
            String routedExpires = routed.headers().remove("expires");
            assertEquals(routedExpires == null, fastExpires == null, "both answers have Expires, or neither");
            if (fastExpires != null) {
                Duration apart = Duration.between(fastDate, routedDate).abs().plusSeconds(1);
                Duration expiresApart = Duration.between(httpDate(fastExpires), httpDate(routedExpires))
                        .abs();
                assertTrue(expiresApart.compareTo(apart) <= 0, fastExpires + " against " + routedExpires);
            }
            assertEquals(routed.headers(), fast.headers());
        }
        assertTrue(
                alone.get(0).headers().get("cache-control").startsWith("max-age="),
                alone.get(0).headers().toString());
        assertEquals("no-cache, no-store", alone.get(1).headers().get("cache-control"));
    }

    record RawReply(int status, Map<String, String> headers, String body) {}

    static Instant httpDate(String value) {
        assertNotNull(value, "a Date or Expires header");
        return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    }

    /** Sends the bytes in one write on one connection, reads one answer per request (bodies as ISO-8859-1). */
    @SuppressWarnings("StringSplitter") // the head ends in a blank line, whose empty parts split drops as it should
    List<RawReply> raw(String requests) throws Exception {
        int count = requests.split("HTTP/1.1\r\n", -1).length - 1;
        List<RawReply> replies = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", responder.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            for (int i = 0; i < count; i++) {
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.readUnsignedByte());
                }
                String[] lines = head.toString().split("\r\n");
                Map<String, String> headers = new TreeMap<>();
                for (int j = 1; j < lines.length; j++) {
                    String[] kv = lines[j].split(":", 2);
                    headers.put(kv[0].trim().toLowerCase(Locale.ROOT), kv[1].trim());
                }
                byte[] body = new byte[Integer.parseInt(headers.get("content-length"))];
                in.readFully(body);
                replies.add(new RawReply(
                        Integer.parseInt(lines[0].split(" ")[1]),
                        headers,
                        new String(body, StandardCharsets.ISO_8859_1)));
            }
        }
        return replies;
    }

    @Test
    void javaPkixAcceptsTheGoodCertificate() throws Exception {
        PkixCheck.validate(dir.resolve("leaf.pem"), APP.rootPem(), APP.issuingPem(), PkixCheck.Mode.OCSP_ONLY);
        // (The JDK caches a fetched CRL for 30 s, so its CRL-only checks run after the revocation, below.)
        Shell.Result before = crlVerify();
        assertEquals(0, before.exit(), before.output());
    }

    @Test
    void revocationIsVisibleAtOnceInOcspAndOnTheNextCrl() throws Exception {
        // a certificate of its own: the other tests keep theirs good, in whatever order they run
        Path dir = Files.createTempDirectory("ocsp-revoke");
        String serial = E2e.issueLeaf(APP, server.getPort(), dir);
        Api admin = new Api(APP.adminSsl(), server.getPort());
        HttpResponse<String> r =
                admin.postJson("/api/v1/certificates/" + serial + "/revoke", Map.of("reason", "keyCompromise"));
        assertEquals(200, r.statusCode(), r.body());

        for (String[] args : new String[][] {{"-cert", "leaf.pem", "-no_nonce"}, {"-cert", "leaf.pem"}}) {
            Shell.Result o = E2e.ocsp(dir, responder.url(), args);
            assertTrue(o.output().contains("leaf.pem: revoked"), o.output());
            assertTrue(o.output().contains("Reason: keyCompromise"), o.output());
            assertTrue(o.output().contains("Revocation Time"), o.output());
        }
        // The CRL is published after the revocation commits, within pki.crl.publish-delay.
        Shell.Result after = crlVerify(dir);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        while (after.exit() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            after = crlVerify(dir);
        }
        assertNotEquals(0, after.exit(), after.output());
        assertTrue(after.output().contains("certificate revoked"), after.output());

        Exception ocspRefusal = org.junit.jupiter.api.Assertions.assertThrows(
                Exception.class,
                () -> PkixCheck.validate(
                        dir.resolve("leaf.pem"), APP.rootPem(), APP.issuingPem(), PkixCheck.Mode.OCSP_ONLY));
        assertTrue(PkixCheck.revoked(ocspRefusal), ocspRefusal.toString());
        // Java reads the shard the leaf names (published within pki.crl.partition-delay), and keeps a CRL it fetched
        // for 30 s: polled until it sees the revocation.
        String shard = distributionPoint(PkixCheck.read(dir.resolve("leaf.pem")))
                .substring(responder.url().length());
        java.math.BigInteger number = new java.math.BigInteger(serial, 16);
        while (crl(responder.get(shard).body()).getRevokedCertificate(number) == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Exception crlRefusal = null;
        while (System.nanoTime() < deadline) {
            try {
                PkixCheck.validate(dir.resolve("leaf.pem"), APP.rootPem(), APP.issuingPem(), PkixCheck.Mode.CRL_ONLY);
                crlRefusal = null; // a shard fetched before the revocation, still in Java's cache
            } catch (Exception e) {
                crlRefusal = e;
            }
            if (crlRefusal != null && PkixCheck.revoked(crlRefusal)) {
                break;
            }
            Thread.sleep(1000);
        }
        assertNotNull(crlRefusal, "Java's CRL check still accepts the revoked certificate");
        assertTrue(PkixCheck.revoked(crlRefusal), crlRefusal.toString());
        // The same CRL, a certificate not on it: accepted.
        HttpResponse<String> other = admin.postJson(
                "/api/v1/certificates",
                Map.of(
                        "csr",
                        Openssl.keyAndCsr(dir, "other", "other.example.com", "DNS:other.example.com"),
                        "profile",
                        "tls-server"));
        Api.write(dir.resolve("other.pem"), (String) Api.parse(other).get("certificate_pem"));
        PkixCheck.validate(dir.resolve("other.pem"), APP.rootPem(), APP.issuingPem(), PkixCheck.Mode.CRL_ONLY);
        PkixCheck.validate(dir.resolve("other.pem"), APP.rootPem(), APP.issuingPem(), PkixCheck.Mode.OCSP_ONLY);
    }

    /**
     * CRLs are served like static files: ETag and Last-Modified, 304 to a client that has the CRL, max-age bounded by
     * nextUpdate; a leaf's distribution point is its shard, served at that URL, and the delta beside it.
     */
    @Test
    void crlsAreServedLikeStaticFilesWithShardsAtTheUrlsCertificatesName() throws Exception {
        HttpResponse<byte[]> full = responder.get("/crl/issuing.crl");
        assertEquals(200, full.statusCode());
        String etag = full.headers().firstValue("etag").orElseThrow();
        String lastModified = full.headers().firstValue("last-modified").orElseThrow();
        assertTrue(full.headers().firstValue("cache-control").orElse("").contains("max-age="));
        assertEquals(
                304, responder.get("/crl/issuing.crl", "If-None-Match", etag).statusCode());
        HttpResponse<byte[]> since = responder.get("/crl/issuing.crl", "If-Modified-Since", lastModified);
        assertEquals(304, since.statusCode());
        assertEquals(0, since.body().length);
        assertEquals(
                200,
                responder.get("/crl/issuing.crl", "If-None-Match", "\"other\"").statusCode());

        java.security.cert.X509Certificate leaf =
                (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(Files.newInputStream(dir.resolve("leaf.pem")));
        String point = distributionPoint(leaf);
        assertTrue(point.startsWith(responder.url() + "/crl/issuing-") && point.matches(".*/[0-9]+\\.crl"), point);
        HttpResponse<byte[]> shard =
                responder.get(point.substring(responder.url().length()));
        assertEquals(200, shard.statusCode());
        assertEquals(
                "application/pkix-crl",
                shard.headers().firstValue("content-type").orElse(""));
        java.security.cert.X509CRL crl =
                (java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCRL(new java.io.ByteArrayInputStream(shard.body()));
        assertNotNull(crl.getExtensionValue("2.5.29.28"), "the shard names itself (issuing distribution point)");
        String delta = point.replaceAll("[0-9]+\\.crl$", "delta.crl")
                .substring(responder.url().length());
        HttpResponse<byte[]> d = responder.get(delta);
        assertEquals(200, d.statusCode());
        assertNotNull(
                ((java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509")
                                .generateCRL(new java.io.ByteArrayInputStream(d.body())))
                        .getExtensionValue("2.5.29.27"),
                "a delta CRL indicator");
        assertEquals(404, responder.get("/crl/issuing/99999.crl").statusCode());
        assertEquals(404, responder.get("/crl/issuing/x.crl").statusCode());
    }

    static java.security.cert.X509CRL crl(byte[] der) throws Exception {
        return (java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCRL(new java.io.ByteArrayInputStream(der));
    }

    static String distributionPoint(java.security.cert.X509Certificate c) {
        org.bouncycastle.asn1.x509.CRLDistPoint dp = org.bouncycastle.asn1.x509.CRLDistPoint.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(c.getExtensionValue("2.5.29.31"))
                        .getOctets());
        return org.bouncycastle.asn1.x509.GeneralNames.getInstance(
                        dp.getDistributionPoints()[0].getDistributionPoint().getName())
                .getNames()[0]
                .getName()
                .toString();
    }

    @Test
    void badRequestsAreAnsweredAndTheResponderStaysUp() throws Exception {
        assertOcspStatus(responder.post("/", "application/ocsp-request", new byte[0]), 1);
        byte[] random = new byte[300];
        new SecureRandom().nextBytes(random);
        assertOcspStatus(responder.post("/", "application/ocsp-request", random), 1);
        Shell.exec(dir, "openssl", "ocsp", "-issuer", "issuing.pem", "-cert", "leaf.pem", "-reqout", "full.der")
                .ok();
        byte[] full = Files.readAllBytes(dir.resolve("full.der"));
        assertOcspStatus(responder.post("/ocsp", "application/ocsp-request", Arrays.copyOf(full, full.length / 2)), 1);
        HttpResponse<byte[]> huge = responder.post("/", "application/ocsp-request", new byte[1024 * 1024]);
        assertEquals(413, huge.statusCode());
        HttpResponse<byte[]> wrongType = responder.post("/", "text/plain", full);
        assertEquals(415, wrongType.statusCode());
        assertOcspStatus(responder.get("/not*base64!"), 1);
        assertOcspStatus(
                responder.get("/" + Base64.getEncoder().encodeToString("garbage".getBytes(StandardCharsets.US_ASCII))),
                1);
        // A nonce over 32 bytes is refused (RFC 8954).
        assertOcspStatus(responder.post("/", "application/ocsp-request", RequestWithNonce.build(full, 33)), 1);
        assertOcspStatus(responder.post("/", "application/ocsp-request", RequestWithNonce.build(full, 32)), 0);
        // An issuer this responder does not serve: unauthorized.
        Shell.Result foreign = Shell.exec(
                dir, "openssl", "ocsp", "-issuer", "root.pem", "-serial", "0x10", "-no_nonce", "-url", responder.url());
        assertTrue(foreign.output().contains("unauthorized"), foreign.output());
        assertTrue(responder.alive());
        assertEquals(200, responder.get("/health").statusCode());
    }

    static void assertOcspStatus(HttpResponse<byte[]> r, int status) throws Exception {
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(
                "application/ocsp-response",
                r.headers().firstValue("content-type").orElse(""));
        assertEquals(status, new OCSPResp(r.body()).getStatus());
    }

    @Test
    void warmsItsHotPathAtStart() throws Exception {
        // the warm-up runs the OCSP chain (with nonces: live, through the HSM) for a few seconds after start
        Pattern done = Pattern.compile("OCSP warm-up: (\\d+) answers to (\\d+) kinds");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
        Matcher m = done.matcher(responder.log());
        boolean found = m.find();
        while (!found && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = done.matcher(responder.log());
            found = m.find();
        }
        assertTrue(found, "no warm-up line in the log: " + responder.log());
        // an outcome, not a rate: every kind of request (pre-signed, unknown, nonce; POST and GET) went through
        assertTrue(
                Long.parseLong(m.group(2)) > 0 && Long.parseLong(m.group(1)) >= Long.parseLong(m.group(2)),
                "the warm-up answered each kind of request: " + m.group());
        assertTrue(!responder.log().contains("warm-up stopped early"), responder.log());
    }
}
