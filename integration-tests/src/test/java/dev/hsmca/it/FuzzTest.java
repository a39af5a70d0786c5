package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import dev.hsmca.appliance.acme.AcmeTestClient;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A seeded, reproducible fuzz run against the running servers ({@code -Dfuzz.seed}, {@code -Dfuzz.cases}, 1,000 per
 * endpoint by default): mutated and random CSRs (PEM and DER), JSON bodies, OCSP requests (POST and GET) and ACME
 * JWS bodies. No answer is a 5xx or shows a stack trace; nothing is stored but what was answered 201; normal
 * requests are answered afterwards. The counts are printed.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzTest implements TestPropertyProvider {
    static final long SEED = Long.getLong("fuzz.seed", 42);
    static final int CASES = Integer.getInteger("fuzz.cases", 1000);
    static final TestAppliance APP = TestAppliance.postgres().initialize();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    Api admin;
    Path dir;
    String csrPem;
    byte[] ocspRequest;
    final Random random = new Random(SEED);
    final Map<String, int[]> counts = new LinkedHashMap<>();

    @Override
    public Map<String, String> getProperties() {
        if (responder == null) {
            responder = ResponderProcess.start(E2e.databaseOnly(APP), false);
        }
        return E2e.withOcspUrl(APP, responder);
    }

    @BeforeAll
    void start() throws Exception {
        admin = new Api(APP.adminSsl(), server.getPort());
        dir = Files.createTempDirectory(APP.dir(), "fuzz");
        csrPem = Openssl.keyAndCsr(dir, "fuzz", "fuzz.example.test", "DNS:fuzz.example.test");
        HttpResponse<String> issued =
                admin.postJson("/api/v1/certificates", Map.of("csr", csrPem, "profile", "tls-server"));
        assertEquals(201, issued.statusCode(), issued.body());
        X509CertificateHolder issuer = new X509CertificateHolder(E2e.pemDer(Files.readString(APP.issuingPem())));
        ocspRequest = new OCSPReqBuilder()
                .addRequest(new CertificateID(
                        new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                        issuer,
                        new BigInteger((String) Api.parse(issued).get("serial"), 16)))
                .build()
                .getEncoded();
    }

    @AfterAll
    void stop() {
        if (responder != null) {
            responder.close();
        }
        counts.forEach((k, v) -> System.out.printf(
                "fuzz %-28s %5d cases: %s%n", k, v[0], "2xx " + v[2] + ", 4xx " + v[4] + ", other " + v[1]));
    }

    /** A copy with a few bytes flipped, cut, or repeated. */
    byte[] mutate(byte[] in) {
        byte[] b = in.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                for (int i = 0, n = 1 + random.nextInt(4); i < n && b.length > 0; i++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            case 2 -> {
                int at = random.nextInt(b.length + 1);
                byte[] junk = new byte[1 + random.nextInt(64)];
                random.nextBytes(junk);
                byte[] c = new byte[b.length + junk.length];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(junk, 0, c, at, junk.length);
                System.arraycopy(b, at, c, at + junk.length, b.length - at);
                b = c;
            }
            default -> {
                b = new byte[random.nextInt(512)];
                random.nextBytes(b);
            }
        }
        return b;
    }

    String mutate(String s) {
        return new String(mutate(s.getBytes(StandardCharsets.UTF_8)), StandardCharsets.ISO_8859_1);
    }

    /** Header values must be visible ASCII for the client to send them; anything else becomes '~'. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            b.append(ch >= 0x21 && ch < 0x7f ? ch : '~');
        }
        return b.isEmpty() ? "~" : b.toString();
    }

    /** Sends CASES requests made by {@code request}; fails on a 5xx or a stack trace; returns how many were 201. */
    int fuzz(String name, HttpClient client, IntFunction<HttpRequest> request) throws Exception {
        int[] c = counts.computeIfAbsent(name, k -> new int[5]);
        int created = 0;
        for (int i = 0; i < CASES; i++) {
            HttpRequest r = request.apply(i);
            HttpResponse<byte[]> response = client.send(r, HttpResponse.BodyHandlers.ofByteArray());
            int status = response.statusCode();
            String body = new String(response.body(), StandardCharsets.ISO_8859_1);
            assertTrue(status < 500, name + " case " + i + " (seed " + SEED + "): " + status + " " + body);
            assertTrue(!body.contains("Exception") && !body.contains("\tat "), name + " case " + i + " leaks: " + body);
            c[0]++;
            c[status / 100 == 2 ? 2 : status / 100 == 4 ? 4 : 1]++;
            created += status == 201 ? 1 : 0;
        }
        return created;
    }

    HttpClient https() {
        return HttpClient.newBuilder()
                .sslContext(APP.adminSsl())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    String url(String path) {
        return "https://localhost:" + server.getPort() + path;
    }

    @Test
    void noInputMakesA5xxOrStoresAnything() throws Exception {
        long before = E2e.certificateCount(APP);
        HttpClient https = https();
        String validBody = Api.json(Map.of("csr", csrPem, "profile", "tls-server"));
        byte[] csrDer = E2e.pemDer(csrPem);
        int created = 0;
        created += fuzz(
                "issue: mutated PEM CSR",
                https,
                i -> HttpRequest.newBuilder(URI.create(url("/api/v1/certificates")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(Map.of(
                                "csr",
                                "-----BEGIN CERTIFICATE REQUEST-----\n"
                                        + Base64.getMimeEncoder().encodeToString(mutate(csrDer))
                                        + "\n-----END CERTIFICATE REQUEST-----\n",
                                "profile",
                                "tls-server"))))
                        .build());
        created += fuzz(
                "issue: DER/raw CSR field",
                https,
                i -> HttpRequest.newBuilder(URI.create(url("/api/v1/certificates")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Api.json(Map.of(
                                "csr",
                                new String(mutate(csrDer), StandardCharsets.ISO_8859_1),
                                "profile",
                                mutate("tls-server")))))
                        .build());
        created += fuzz(
                "issue: mutated JSON body",
                https,
                i -> HttpRequest.newBuilder(URI.create(url("/api/v1/certificates")))
                        .header(
                                "Content-Type",
                                new String[] {
                                            "application/json",
                                            "application/json; charset=latin1",
                                            "text/plain",
                                            "application/xml",
                                            "application/x-www-form-urlencoded"
                                        }
                                        [random.nextInt(5)])
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                mutate(validBody.getBytes(StandardCharsets.UTF_8))))
                        .build());
        created += fuzz(
                "issue: mutated headers",
                https,
                i -> HttpRequest.newBuilder(URI.create(url("/api/v1/certificates")))
                        .header("Content-Type", printable(mutate("application/json")))
                        .header("Accept", printable(mutate("application/json")))
                        .header(
                                new String[] {
                                            "Authorization",
                                            "X-Forwarded-For",
                                            "Accept-Encoding",
                                            "If-None-Match",
                                            "Cookie"
                                        }
                                        [random.nextInt(5)],
                                printable(mutate("Bearer abcdef0123456789")))
                        .POST(HttpRequest.BodyPublishers.ofString(validBody))
                        .build());
        created += fuzz(
                "install token: mutated JSON",
                https,
                i -> HttpRequest.newBuilder(URI.create(url("/api/v1/install-tokens")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(mutate(
                                Api.json(Map.of("service", "fz", "dns", List.of("fz.example.test"), "ttl_seconds", 60))
                                        .getBytes(StandardCharsets.UTF_8))))
                        .build());

        AcmeTestClient acme = new AcmeTestClient(APP.anonymousSsl(), server.getPort());
        String jws = AcmeTestClient.jws(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .jwk(acme.key().toPublicJWK())
                        .customParam("nonce", acme.freshNonce())
                        .customParam("url", acme.url("newAccount"))
                        .build(),
                "{\"termsOfServiceAgreed\":true}",
                AcmeTestClient.signer(acme.key()));
        HttpClient anonymous =
                HttpClient.newBuilder().sslContext(APP.anonymousSsl()).build();
        created += fuzz(
                "acme: mutated JWS",
                anonymous,
                i -> HttpRequest.newBuilder(URI.create(acme.url("newAccount")))
                        .header("Content-Type", "application/jose+json")
                        .POST(HttpRequest.BodyPublishers.ofString(mutate(jws)))
                        .build());

        HttpClient plain = HttpClient.newBuilder().build();
        String ocsp = responder.url() + "/";
        fuzz(
                "ocsp: mutated POST",
                plain,
                i -> HttpRequest.newBuilder(URI.create(ocsp))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(mutate(ocspRequest)))
                        .build());
        fuzz(
                "ocsp: mutated GET",
                plain,
                i -> HttpRequest.newBuilder(URI.create(ocsp
                                + URLEncoder.encode(
                                        Base64.getEncoder().encodeToString(mutate(ocspRequest)),
                                        StandardCharsets.US_ASCII)))
                        .GET()
                        .build());

        assertEquals(before + created, E2e.certificateCount(APP), "only what was answered 201 is stored");

        // and normal requests are answered afterwards
        assertEquals(
                200,
                new Api(APP.anonymousSsl(), server.getPort()).get("/health").statusCode());
        HttpResponse<String> again = admin.postJson(
                "/api/v1/certificates",
                Map.of(
                        "csr",
                        Openssl.keyAndCsr(dir, "after", "after.example.test", "DNS:after.example.test"),
                        "profile",
                        "tls-server"));
        assertEquals(201, again.statusCode(), again.body());
        HttpResponse<byte[]> good = plain.send(
                HttpRequest.newBuilder(URI.create(ocsp))
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(ocspRequest))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, good.statusCode());
        assertEquals(0, new OCSPResp(good.body()).getStatus(), "a successful OCSP answer");
    }
}
