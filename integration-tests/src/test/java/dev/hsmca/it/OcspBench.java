package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code make bench}, OCSP: our responder (pre-signed, and live with nonces through SoftHSM) next to {@code openssl ocsp
 * -port}, cfssl {@code ocspserve} serving our pre-signed responses, and nginx serving the same bytes as a static file.
 * Same machine, same request, one run, wrk on the same two cores. Also the responder's footprint: start to first
 * answer, the first seconds before warm-up, RSS idle and under load.
 */
@Tag("bench")
@MicronautTest(transactional = false)
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class OcspBench implements TestPropertyProvider {
    static final TestAppliance APP =
            TestAppliance.postgres().initialize(); // the responders are asked at their own URLs
    static final int CERTS = BenchSupport.SMOKE ? 5 : 100;
    static final int NONCES = 1000;
    static final String OPENSSL = "openssl ocsp -port";
    static final String JAVA_PLAIN = "POST (Java client)";
    static final String JAVA_NONCE = "POST with nonce (Java client)";
    static final String SOCKET_NONCE = "POST with nonce (socket client)";

    @Inject
    EmbeddedServer server;

    final List<String> notes = new ArrayList<>();

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    void ocspSideBySide() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "ocspbench");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nginx workers read it
        Api admin = new Api(APP.adminSsl(), server.getPort());
        String csr = Openssl.keyAndCsr(dir, "leaf", "bench.example.test", "DNS:bench.example.test");
        List<BigInteger> serials = new ArrayList<>();
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < CERTS; i++) {
            HttpResponse<String> r =
                    admin.postJson("/api/v1/certificates", Map.of("csr", csr, "profile", "tls-server"));
            assertEquals(201, r.statusCode(), r.body());
            String serial = (String) Api.parse(r).get("serial");
            serials.add(new BigInteger(serial, 16));
            index.append("V\t301231235959Z\t\t")
                    .append(serial.toUpperCase(Locale.ROOT))
                    .append("\tunknown\t/CN=bench.example.test\n");
        }
        Files.copy(APP.issuingPem(), dir.resolve("issuing.pem"));
        X509CertificateHolder issuer = new X509CertificateHolder(E2e.pemDer(Files.readString(APP.issuingPem())));
        CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1), issuer, serials.get(0));
        byte[] plain = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        Path plainFile = write(dir, "plain.der", plain);
        byte[] nonces = nonceRequests(id);
        Path nonceFile = write(dir, "nonces.der", nonces);
        List<byte[]> nonceBodies = new ArrayList<>();
        for (int i = 0, len = nonces.length / NONCES; i < NONCES; i++) {
            nonceBodies.add(Arrays.copyOfRange(nonces, i * len, (i + 1) * len));
        }
        String getPath = "/" + URLEncoder.encode(Base64.getEncoder().encodeToString(plain), StandardCharsets.US_ASCII);
        Path postLua = write(dir, "post.lua", """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/ocsp-request"
                local f = assert(io.open(os.getenv("OCSP_BODY"), "rb")); wrk.body = f:read("*all"); f:close()
                """.getBytes(StandardCharsets.UTF_8));
        // every request its own nonce: NONCES bodies of one length, taken in turn
        Path nonceLua = write(dir, "nonce.lua", """
                local bodies, i = {}, 0
                local f = assert(io.open(os.getenv("OCSP_BODY"), "rb")); local data = f:read("*all"); f:close()
                local n = tonumber(os.getenv("OCSP_COUNT")); local len = #data / n
                for k = 0, n - 1 do bodies[k + 1] = data:sub(k * len + 1, (k + 1) * len) end
                local headers = {["Content-Type"] = "application/ocsp-request"}
                request = function()
                  i = i % n + 1
                  return wrk.format("POST", nil, headers, bodies[i])
                end
                """.getBytes(StandardCharsets.UTF_8));
        Map<String, String> postEnv = Map.of("OCSP_BODY", plainFile.toString());
        Map<String, String> nonceEnv =
                Map.of("OCSP_BODY", nonceFile.toString(), "OCSP_COUNT", Integer.toString(NONCES));

        // ours, pre-signed: no HSM in the process
        ResponderProcess.prepareArchive(E2e.databaseOnly(APP));
        long t0 = System.nanoTime();
        byte[] presigned;
        StringBuilder cfsslResponses = new StringBuilder();
        try (ResponderProcess ours = ResponderProcess.start(E2e.databaseOnly(APP), false)) {
            double firstAnswerMs = (System.nanoTime() - t0) / 1e6;
            presigned = ours.post("/", "application/ocsp-request", plain).body();
            assertEquals(0, new OCSPResp(presigned).getStatus());
            BenchSupport.Rss idle = BenchSupport.Rss.of(ours.pid());
            BenchSupport.Wrk cold = BenchSupport.wrk(ours.url() + "/", 2, Duration.ofSeconds(2), postLua, postEnv);
            notes.add(String.format(
                    "Responder (pre-signed, deployment JVM options and class-data archive): first "
                            + "answer %.0f ms after the process started (it reports ready once warmed up); the first 2 s at 2 connections gave %,.0f req/s (p99 %.2f ms); RSS idle %d MiB.",
                    firstAnswerMs, cold.rps(), cold.p99(), idle.mib()));
            for (BigInteger s : serials) {
                byte[] req = new OCSPReqBuilder()
                        .addRequest(new CertificateID(
                                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                                issuer,
                                s))
                        .build()
                        .getEncoded();
                cfsslResponses
                        .append(Base64.getEncoder()
                                .encodeToString(ours.post("/", "application/ocsp-request", req)
                                        .body()))
                        .append('\n');
            }
            if (!BenchSupport.SMOKE) {
                BenchSupport.wrk(ours.url() + "/", 64, BenchSupport.run(5), postLua, postEnv); // warm-up
            }
            measure("ours, pre-signed", ours.url(), getPath, postLua, postEnv);
            if (!BenchSupport.SMOKE) {
                NginxOcsp.Site side = NginxOcsp.site(presigned);
                try (Peer nginx = Peer.start(
                        side.web(),
                        "nginx",
                        "-p",
                        side.web().toString(),
                        "-c",
                        side.conf().toString())) {
                    String nginxUrl = "http://127.0.0.1:" + side.port();
                    nginx.awaitOcsp(nginxUrl, plain);
                    notes.add(NginxOcsp.interleavedGet(ours.url() + getPath, nginxUrl + getPath));
                    notes.add(NginxOcsp.interleaved("POST", ours.url() + "/", nginxUrl + "/", postLua, postEnv));
                }
            }
            row(
                    "ours, pre-signed",
                    JAVA_PLAIN,
                    2,
                    BenchSupport.javaLoad(ours.url() + "/", List.of(plain), 2, BenchSupport.run(10)));
            BenchSupport.Rss load = BenchSupport.Rss.of(ours.pid());
            notes.add(String.format(
                    "Responder RSS after the load: %d MiB, peak %d MiB (target: under 256 MiB).",
                    load.mib(), load.peakMib()));
        }

        // ours, live: a nonce in every request, each answer signed through SoftHSM
        try (ResponderProcess live = ResponderProcess.start(APP.shared(), true)) {
            if (!BenchSupport.SMOKE) {
                BenchSupport.wrk(live.url() + "/", 64, BenchSupport.run(5), nonceLua, nonceEnv); // warm-up
            }
            measureNonce("ours, live (SoftHSM)", live.url(), nonceLua, nonceEnv);
            row(
                    "ours, live (SoftHSM)",
                    JAVA_NONCE,
                    2,
                    BenchSupport.javaLoad(live.url() + "/", nonceBodies, 2, BenchSupport.run(10)));
            // at 2 client threads both servers wait on the client; 4 shows what each server can take
            if (!BenchSupport.SMOKE) {
                row(
                        "ours, live (SoftHSM)",
                        JAVA_NONCE,
                        4,
                        BenchSupport.javaLoad(live.url() + "/", nonceBodies, 4, BenchSupport.run(10)));
            }
            socketRows("ours, live (SoftHSM)", live.url(), nonceBodies);
        }

        if (Boolean.getBoolean("bench.ours-only")) { // a quick look at our own figures while working on them
            measured.forEach(r -> System.out.printf(
                    "bench-row %s | %s | %d | %s%n",
                    r.server(), r.request(), r.conns(), r.wrk().cells()));
            notes.forEach(n -> System.out.println("bench-note " + n));
            return;
        }

        // openssl ocsp -port: signs every answer with a software P-256 delegate key
        Files.writeString(dir.resolve("index.txt"), index);
        Files.writeString(dir.resolve("index.txt.attr"), "unique_subject = no\n"); // one subject, many serials
        Shell.exec(
                        dir,
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-keyout",
                        "rkey.pem",
                        "-out",
                        "rsigner.pem",
                        "-subj",
                        "/CN=openssl responder",
                        "-days",
                        "2")
                .ok();
        try (Peer openssl = Peer.start(
                dir,
                "openssl",
                "ocsp",
                "-index",
                "index.txt",
                "-port",
                "0",
                "-rsigner",
                "rsigner.pem",
                "-rkey",
                "rkey.pem",
                "-CA",
                "issuing.pem",
                "-ndays",
                "1")) {
            String url = "http://127.0.0.1:" + openssl.acceptPort(); // port 0: it prints the one it got
            openssl.awaitOcsp(url, plain);
            // wrk drove openssl 3.0's responder for one run, then it answered nothing (and -multi children were left
            // spinning): it is measured with a Java client, 2 threads, and ours the same way for the ratio
            if (!BenchSupport.SMOKE) {
                BenchSupport.javaLoad(url + "/", List.of(plain), 2, BenchSupport.run(3)); // warm-up
            }
            row(OPENSSL, JAVA_PLAIN, 2, BenchSupport.javaLoad(url + "/", List.of(plain), 2, BenchSupport.run(10)));
            row(OPENSSL, JAVA_NONCE, 2, BenchSupport.javaLoad(url + "/", nonceBodies, 2, BenchSupport.run(10)));
            if (!BenchSupport.SMOKE) {
                row(OPENSSL, JAVA_NONCE, 4, BenchSupport.javaLoad(url + "/", nonceBodies, 4, BenchSupport.run(10)));
            }
            socketRows(OPENSSL, url, nonceBodies);
        }

        // cfssl ocspserve: our pre-signed responses, loaded from a file
        write(dir, "responses.txt", cfsslResponses.toString().getBytes(StandardCharsets.US_ASCII));
        int cfsslPort = Ports.fixed(); // cfssl does not say which port it got for 0 (see Ports)
        try (Peer cfssl = Peer.start(
                dir,
                "cfssl",
                "ocspserve",
                "-port",
                Integer.toString(cfsslPort),
                "-responses",
                "responses.txt",
                "-loglevel",
                "5")) {
            String url = "http://127.0.0.1:" + cfsslPort;
            cfssl.awaitOcsp(url, plain);
            if (!BenchSupport.SMOKE) {
                BenchSupport.wrk(url + "/", 64, BenchSupport.run(3), postLua, postEnv); // warm-up
            }
            // cfssl 1.2's ocspserve answered RFC 5019 GETs of this (URL-encoded) request with errors: POST only
            measure("cfssl ocspserve", url, null, postLua, postEnv);
        }

        // nginx: the same bytes as a static file (POST too: its 405 is turned into the file), the ceiling
        NginxOcsp.Site site = NginxOcsp.site(presigned);
        Path web = site.web();
        Path conf = site.conf();
        int nginxPort = site.port();
        try (Peer nginx = Peer.start(web, "nginx", "-p", web.toString(), "-c", conf.toString())) {
            String url = "http://127.0.0.1:" + nginxPort;
            nginx.awaitOcsp(url, plain);
            if (!BenchSupport.SMOKE) {
                BenchSupport.wrk(url + "/", 64, BenchSupport.run(3), postLua, postEnv); // warm-up
            }
            measure("nginx, static file", url, getPath, postLua, postEnv);
        }

        StringBuilder md = new StringBuilder("## OCSP\n\nwrk, 2 threads, kept-alive connections, after a warm-up; one "
                + "certificate's request (SHA-1 CertID). \"vs\" compares with nginx serving the same bytes (kept-alive "
                + "rows), and with `openssl ocsp -port` for the client rows (wrk drove openssl 3.0's responder "
                + "for one run, then it answered nothing). Two clients drive both: a JDK HttpClient loop, and a socket "
                + "client (one blocking socket per thread, kept alive while the server keeps it, a few microseconds of CPU "
                + "per request, so the servers rather than the client use the cores), 2 or 4 threads; answers that are "
                + "not a successful OCSP response, and failed requests, are counted apart as errors.\n\n"
                + "| Server | Request | Conns | req/s | p50 ms | p99 ms | vs |\n|---|---|---|---|---|---|---|\n");
        measured.forEach(r -> md.append(String.format(
                "| %s | %s | %d | %s | %s |%n",
                r.server(), r.request(), r.conns(), r.wrk().cells(), vs(r))));
        md.append('\n');
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        BenchSupport.writePart("10-ocsp", md.toString());
    }

    void measure(String server, String url, String getPath, Path postLua, Map<String, String> postEnv)
            throws Exception {
        row(server, "POST", 2, BenchSupport.wrk(url + "/", 2, BenchSupport.run(10), postLua, postEnv));
        if (!BenchSupport.SMOKE) {
            row(server, "POST", 64, BenchSupport.wrk(url + "/", 64, BenchSupport.run(10), postLua, postEnv));
        }
        if (getPath != null) {
            row(
                    server,
                    "GET (RFC 5019)",
                    64,
                    BenchSupport.wrk(url + getPath, 64, BenchSupport.run(10), null, Map.of()));
        }
    }

    /** The same nonce requests from the light socket client, 2 and 4 threads. */
    void socketRows(String server, String url, List<byte[]> nonceBodies) throws Exception {
        URI u = URI.create(url);
        for (int threads : BenchSupport.SMOKE ? new int[] {2} : new int[] {2, 4}) {
            row(
                    server,
                    SOCKET_NONCE,
                    threads,
                    SocketLoad.load(u.getHost(), u.getPort(), nonceBodies, threads, BenchSupport.run(10)));
        }
    }

    void measureNonce(String server, String url, Path nonceLua, Map<String, String> nonceEnv) throws Exception {
        row(server, "POST with nonce", 2, BenchSupport.wrk(url + "/", 2, BenchSupport.run(10), nonceLua, nonceEnv));
        if (!BenchSupport.SMOKE) {
            row(
                    server,
                    "POST with nonce",
                    64,
                    BenchSupport.wrk(url + "/", 64, BenchSupport.run(10), nonceLua, nonceEnv));
        }
    }

    record Row(String server, String request, int conns, BenchSupport.Wrk wrk) {}

    final List<Row> measured = new ArrayList<>();

    void row(String server, String request, int conns, BenchSupport.Wrk w) {
        measured.add(new Row(server, request, conns, w));
    }

    /** Ours against the reference for the same request and connections: nginx for pre-signed, openssl per request. */
    String vs(Row r) {
        if (!r.server().startsWith("ours")) {
            return "";
        }
        String reference = r.request().contains(" client)") ? OPENSSL : "nginx, static file";
        return measured.stream()
                .filter(o -> o.server().equals(reference) && o.request().equals(r.request()) && o.conns() == r.conns())
                .findFirst()
                .map(o -> BenchSupport.ratio(r.wrk().rps(), o.wrk().rps()) + " of "
                        + reference.split(",| ", -1)[0])
                .orElse("");
    }

    static byte[] nonceRequests(CertificateID id) throws Exception {
        SecureRandom random = new SecureRandom();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int length = -1;
        for (int i = 0; i < NONCES; i++) {
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            byte[] req = new OCSPReqBuilder()
                    .addRequest(id)
                    .setRequestExtensions(new Extensions(new Extension(
                            OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                            false,
                            new DEROctetString(new DEROctetString(nonce)))))
                    .build()
                    .getEncoded();
            if (length >= 0 && req.length != length) {
                throw new IllegalStateException("nonce requests must share one length");
            }
            length = req.length;
            all.write(req);
        }
        return all.toByteArray();
    }

    static Path write(Path dir, String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        return p;
    }

    /** A peer server as its own process, stopped by its own PID. */
    record Peer(Process process, Path log) implements AutoCloseable {
        static Peer start(Path dir, String... cmd) throws Exception {
            Path log = Files.createTempFile(dir, "peer", ".log");
            return new Peer(
                    new ProcessBuilder(cmd)
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start(),
                    log);
        }

        /** The port in openssl's "ACCEPT [::]:PORT" line, for a server started on port 0. */
        int acceptPort() throws Exception {
            Pattern accept = Pattern.compile("ACCEPT \\S*:(\\d+)");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
            while (System.nanoTime() < deadline && process.isAlive()) {
                Matcher m = accept.matcher(Files.readString(log));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("no ACCEPT line: " + Files.readString(log));
        }

        /** Polls until the peer answers a successful OCSP response to this request. */
        void awaitOcsp(String url, byte[] request) throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            Exception last = null;
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    HttpResponse<byte[]> r = client.send(
                            HttpRequest.newBuilder(URI.create(url + "/"))
                                    .header("Content-Type", "application/ocsp-request")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() == 200 && new OCSPResp(r.body()).getStatus() == 0) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("peer did not answer: " + Files.readString(log), last);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
