package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key manager serves whatever is current: a renewal reaches the next handshake, an open connection keeps its own. */
class ReloadingKeyManagerTest {
    final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    final FakeCa fake = new FakeCa(clock);
    final AtomicReference<Credentials> current = new AtomicReference<>();
    final ReloadingKeyManager km = new ReloadingKeyManager(current::get);

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        fake.close();
    }

    Credentials credentials(String name) {
        return fake.ca.credentials(
                List.of(name), clock.instant(), clock.instant().plus(Duration.ofHours(1)));
    }

    @Test
    void nothingToServeBeforeEnrollment() {
        assertNull(km.chooseServerAlias("EC", null, null));
        assertNull(km.chooseClientAlias(new String[] {"EC"}, null, null));
        assertNull(km.getServerAliases("EC", null));
        assertNull(km.getCertificateChain("pki-1"));
        assertNull(km.getPrivateKey("pki-1"));
    }

    @Test
    void theAliasNamesTheSerialForTheKeysType() {
        Credentials a = credentials("a.internal");
        current.set(a);
        String alias = "pki-" + a.serial();
        assertEquals(alias, km.chooseServerAlias("EC", null, null));
        assertEquals(alias, km.chooseEngineServerAlias("EC", null, null));
        assertEquals(alias, km.chooseClientAlias(new String[] {"RSA", "EC"}, null, null));
        assertEquals(alias, km.chooseEngineClientAlias(new String[] {"EC"}, null, null));
        assertArrayEquals(new String[] {alias}, km.getClientAliases("EC", null));
        assertNull(km.chooseServerAlias("RSA", null, null), "an EC key serves no RSA suite");
        assertNull(km.chooseClientAlias(new String[] {"RSA", "DSA"}, null, null));
    }

    @Test
    void theChainIsTheCertificateThenTheIntermediatesNotTheRoot() {
        Credentials leaf = credentials("a.internal");
        X509Certificate intermediate = credentials("intermediate").certificate();
        Credentials withChain = new Credentials(leaf.key(), leaf.certificate(), List.of(intermediate, fake.ca.root()));
        current.set(withChain);
        String alias = km.chooseServerAlias("EC", null, null);
        assertArrayEquals(new X509Certificate[] {leaf.certificate(), intermediate}, km.getCertificateChain(alias));
        assertEquals(leaf.key(), km.getPrivateKey(alias));
        assertNull(km.getCertificateChain("pki-ffff"), "an alias of no credentials");
    }

    @Test
    void aRenewalBetweenChoosingAndUsingAnAliasIsFine() {
        Credentials a = credentials("a.internal");
        Credentials b = credentials("a.internal");
        current.set(a);
        String chosen = km.chooseServerAlias("EC", null, null);
        current.set(b); // renewed during the handshake
        assertEquals(a.certificate(), km.getCertificateChain(chosen)[0], "the handshake finishes with what it chose");
        assertEquals(a.key(), km.getPrivateKey(chosen));
        assertEquals("pki-" + b.serial(), km.chooseServerAlias("EC", null, null), "the next one gets the new");
        assertEquals(b.key(), km.getPrivateKey("pki-" + b.serial()));
    }

    @Test
    void aServerServesTheRenewedCertificateOnTheNextHandshake() throws Exception {
        fake.tokens.add("hct_s");
        try (PkiClient pki = PkiClient.builder()
                .caUrl(fake.url())
                .root(fake.ca.rootPem())
                .store(dir)
                .clock(clock)
                .build()) {
            pki.enroll("hct_s", null, null, "localhost", "127.0.0.1");
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(pki.serverSslContext()));
            server.createContext("/", exchange -> {
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            try {
                URI uri = URI.create("https://localhost:" + server.getAddress().getPort() + "/");
                HttpClient open = client(pki);
                BigInteger first = served(open, uri);
                assertEquals(pki.credentials().serialNumber(), first);

                Credentials renewed = pki.renew();
                assertNotEquals(first, renewed.serialNumber());
                assertEquals(renewed.serialNumber(), served(client(pki), uri), "a new connection: the new certificate");
                assertEquals(first, served(open, uri), "an open connection is untouched");
            } finally {
                server.stop(0);
            }
        }
    }

    static HttpClient client(PkiClient pki) {
        SSLContext trustOnly = Tls.context(
                null,
                Tls.trustManagers(
                        (X509Certificate) pki.credentials()
                                .chain()
                                .get(pki.credentials().chain().size() - 1),
                        Tls.Revocation.OFF));
        return HttpClient.newBuilder()
                .sslContext(trustOnly)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    static BigInteger served(HttpClient client, URI uri) throws Exception {
        HttpResponse<Void> r = client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(1)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(204, r.statusCode());
        return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }
}
