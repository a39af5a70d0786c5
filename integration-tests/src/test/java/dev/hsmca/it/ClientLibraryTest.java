package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.client.Credentials;
import dev.hsmca.client.PkiClient;
import dev.hsmca.client.PkiClientException;
import dev.hsmca.client.RenewalListener;
import dev.hsmca.client.RenewalPolicy;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Java library against a real appliance (and its OCSP responder): enroll once, serve with
 * {@code serverSslContext()} and see the renewed certificate on new connections without a restart, call the CA
 * over mTLS with {@code clientSslContext()}, refuse a revoked peer with OCSP checking on, and 20 services renewing
 * when the admin moves their renewal window (each polls every 2 s), while their servers answer every request.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientLibraryTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.postgres().initialize();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    Api admin;
    String url;

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
        url = "https://localhost:" + server.getPort();
    }

    @AfterAll
    void stop() {
        if (responder != null) {
            responder.close();
        }
    }

    PkiClient client(Path store, RenewalPolicy policy) {
        return PkiClient.builder()
                .caUrl(url)
                .root(APP.rootPem())
                .store(store)
                .renewalPolicy(policy)
                .build();
    }

    @Test
    void enrollServeRenewWithoutRestart() throws Exception {
        Path store = Files.createTempDirectory(APP.dir(), "svc");
        try (PkiClient pki = client(store, RenewalPolicy.defaults())) {
            String token = Tokens.create(admin, "api", "api.example.test");
            Credentials first = pki.enroll(token, null, "10m", "api.example.test");
            assertFalse(pki.enrollIfNeeded(token, "api.example.test"), "a valid certificate is kept");
            assertEquals("rwx------", posix(store.resolve("releases")));
            assertEquals("rw-------", posix(store.resolve("key.pem").toRealPath()));
            assertTrue(
                    Duration.between(first.notBefore(), first.notAfter()).compareTo(Duration.ofMinutes(13)) < 0,
                    "a 10-minute certificate");

            HttpsServer https = serve(pki.serverSslContext(), "api");
            try {
                int port = https.getAddress().getPort();
                assertEquals(first.serialNumber(), servedSerial(port));
                Credentials second = pki.renew();
                assertNotEquals(first.serial(), second.serial());
                assertEquals(second.serialNumber(), servedSerial(port), "a new handshake gets the renewed certificate");
                assertTrue(Files.exists(store.resolve("cert.pem.prev")), "the previous pair is kept");
            } finally {
                https.stop(0);
            }

            // mTLS to the CA with the client context
            HttpResponse<String> current = HttpClient.newBuilder()
                    .sslContext(pki.clientSslContext())
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + "/api/v1/certificates/current"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, current.statusCode(), current.body());
            assertEquals(pki.credentials().serial(), Api.parse(current).get("serial"));
        }
        // A new process (a restart) finds the renewed pair in the folder.
        try (PkiClient again = client(store, RenewalPolicy.defaults())) {
            assertFalse(again.enrollIfNeeded("unused-token", "api.example.test"));
        }
    }

    @Test
    void aRevokedPeerIsRefusedWithOcspChecking() throws Exception {
        PkiClient peer = client(Files.createTempDirectory(APP.dir(), "peer"), RenewalPolicy.defaults());
        peer.enroll(
                Tokens.create(admin, "peer", List.of("peer.example.test", "localhost"), "tls-server-client", 30, 3600),
                null,
                "1h",
                "peer.example.test",
                "localhost");
        PkiClient caller = PkiClient.builder()
                .caUrl(url)
                .root(APP.rootPem())
                .store(Files.createTempDirectory(APP.dir(), "caller"))
                .peerRevocation(true, true)
                .build();
        caller.enroll(Tokens.create(admin, "caller", "caller.example.test"), null, "1h", "caller.example.test");
        HttpsServer https = serve(peer.serverSslContext(), "peer");
        try {
            int port = https.getAddress().getPort();
            HttpClient http = HttpClient.newBuilder()
                    .sslContext(caller.clientSslContext())
                    .build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/"))
                    .build();
            assertEquals(
                    200, http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> r = admin.postJson(
                    "/api/v1/certificates/" + peer.credentials().serial() + "/revoke",
                    Map.of("reason", "keyCompromise"));
            assertEquals(200, r.statusCode(), r.body());
            PkiClientException cannotRenew = assertThrows(PkiClientException.class, peer::renew);
            assertEquals(
                    PkiClientException.Kind.REVOKED, cannotRenew.kind(), "a revoked certificate cannot renew itself");
            HttpClient fresh = HttpClient.newBuilder()
                    .sslContext(caller.clientSslContext())
                    .build();
            IOException refused =
                    assertThrows(IOException.class, () -> fresh.send(req, HttpResponse.BodyHandlers.ofString()));
            assertTrue(
                    String.valueOf(refused.getCause()).contains("revoked")
                            || String.valueOf(refused).contains("revoked")
                            || refused instanceof SSLHandshakeException,
                    refused.toString());
        } finally {
            https.stop(0);
            peer.close();
            caller.close();
        }
    }

    @Test
    void twentyServicesRenewWhenTheCaSaysSo() throws Exception {
        int n = 20;
        List<PkiClient> fleet = new ArrayList<>();
        List<HttpsServer> servers = new ArrayList<>();
        Map<Integer, BigInteger> before = new HashMap<>();
        AtomicInteger renewed = new AtomicInteger();
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        RenewalPolicy fastPoll = RenewalPolicy.defaults().withPollInterval(Duration.ofSeconds(2));
        try {
            for (int i = 0; i < n; i++) {
                String name = "svc" + i + ".example.test";
                PkiClient pki = client(Files.createTempDirectory(APP.dir(), "fleet"), fastPoll);
                pki.enroll(
                        Tokens.create(admin, "fleet-" + i, List.of(name, "localhost"), "tls-server-client", 30, 3600),
                        null,
                        "1d",
                        name,
                        "localhost");
                pki.addListener(new RenewalListener() {
                    @Override
                    public void renewed(Credentials now, Credentials was) {
                        renewed.incrementAndGet();
                    }
                });
                pki.startAutoRenewal();
                fleet.add(pki);
                HttpsServer s = serve(pki.serverSslContext(), name);
                servers.add(s);
                before.put(s.getAddress().getPort(), pki.credentials().serialNumber());
            }
            // a failed request is a refused or broken one: the timeouts are for a hang only, not a speed check
            HttpClient http = HttpClient.newBuilder()
                    .sslContext(trustRoot())
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();
            Thread traffic = new Thread(() -> {
                while (running.get()) {
                    for (HttpsServer s : servers) {
                        try {
                            HttpResponse<String> r = http.send(
                                    HttpRequest.newBuilder(URI.create("https://localhost:"
                                                    + s.getAddress().getPort() + "/"))
                                            .timeout(Duration.ofSeconds(60))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            requests.incrementAndGet();
                            if (r.statusCode() != 200) {
                                failures.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    }
                }
            });
            traffic.start();
            Thread.sleep(3000);
            assertEquals(0, renewed.get(), "nothing is due yet (a day-long certificate)");
            long start = System.nanoTime();
            HttpResponse<String> moved = admin.postJson("/api/v1/certificates/renew-early", Map.of("all", true));
            assertEquals(200, moved.statusCode(), moved.body());
            long deadline = start + Duration.ofMinutes(3).toNanos(); // a hang is the failure
            while (renewed.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            long took = (System.nanoTime() - start) / 1_000_000;
            running.set(false);
            traffic.join(120_000);
            System.out.printf(
                    "CA-driven renewal: %d of %d services renewed %d ms after the window moved; %d requests to "
                            + "them meanwhile, %d failed%n",
                    renewed.get(), n, took, requests.get(), failures.get());
            assertEquals(n, renewed.get(), "every service renewed");
            assertEquals(0, failures.get(), "no failed request to the services while they renewed");
            for (HttpsServer s : servers) {
                assertNotEquals(
                        before.get(s.getAddress().getPort()),
                        servedSerial(s.getAddress().getPort()),
                        "the server serves its new certificate");
            }
        } finally {
            running.set(false);
            servers.forEach(s -> s.stop(0));
            fleet.forEach(PkiClient::close);
        }
    }

    @Test
    void refusalsHaveClearReasons() throws Exception {
        String token = Tokens.create(admin, "once", "once.example.test");
        PkiClient a = client(Files.createTempDirectory(APP.dir(), "once"), RenewalPolicy.defaults());
        a.enroll(token, null, null, "once.example.test");
        PkiClient b = client(Files.createTempDirectory(APP.dir(), "twice"), RenewalPolicy.defaults());
        PkiClientException used =
                assertThrows(PkiClientException.class, () -> b.enroll(token, null, null, "once.example.test"));
        assertEquals("token_used", used.code());
        PkiClientException name = assertThrows(
                PkiClientException.class,
                () -> b.enroll(Tokens.create(admin, "other", "other.example.test"), null, null, "evil.example.test"));
        assertEquals("name_not_allowed", name.code());
        assertTrue(name.getMessage().contains("evil.example.test"), name.getMessage());
        PkiClient wrongRoot = PkiClient.builder()
                .caUrl(url)
                .root(ForeignRoot.pem())
                .store(Files.createTempDirectory(APP.dir(), "wrong"))
                .build();
        PkiClientException trust = assertThrows(
                PkiClientException.class,
                () -> wrongRoot.enroll(Tokens.create(admin, "wr", "wr.example.test"), null, null, "wr.example.test"));
        assertEquals(PkiClientException.Kind.TLS_TRUST, trust.kind(), trust.getMessage());
    }

    static String posix(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static HttpsServer serve(SSLContext ssl, String body) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ssl));
        s.createContext("/", ex -> {
            byte[] b = body.getBytes(Charset.defaultCharset());
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.setExecutor(Executors.newFixedThreadPool(2));
        s.start();
        return s;
    }

    SSLContext trustRoot() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("root", APP.root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The serial a new TLS connection to this port is served. */
    BigInteger servedSerial(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) trustRoot().getSocketFactory().createSocket("localhost", port)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
