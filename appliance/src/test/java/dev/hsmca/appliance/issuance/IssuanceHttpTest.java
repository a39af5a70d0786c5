package dev.hsmca.appliance.issuance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IssuanceHttpTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    Api admin;
    Api anonymous;
    Path work;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @BeforeAll
    void clients() throws Exception {
        admin = new Api(APP.adminSsl(), server.getPort());
        anonymous = new Api(APP.anonymousSsl(), server.getPort());
        work = Files.createTempDirectory("issuance");
    }

    static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    Map<String, Object> issue(String csr, String profile, Integer days) {
        HttpResponse<String> r = admin.postJson("/api/v1/certificates", Api.issueBody(csr, profile, days));
        assertEquals(201, r.statusCode(), r.body());
        return Api.parse(r);
    }

    @Test
    void issuesOverMtlsAndTheCertificateServesTlsToAClientTrustingOnlyTheRoot() throws Exception {
        Shell.exec(
                        work,
                        "openssl",
                        "req",
                        "-new",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-keyout",
                        "server.key",
                        "-subj",
                        "/CN=localhost",
                        "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-out",
                        "server.csr")
                .ok();
        Map<String, Object> issued = issue(Files.readString(work.resolve("server.csr")), "tls-server", 30);
        Api.write(work.resolve("server.pem"), (String) issued.get("certificate_pem"));
        Api.write(work.resolve("chain.pem"), (String) issued.get("chain_pem"));
        Files.copy(APP.rootPem(), work.resolve("root.pem"));

        Shell.Result verify =
                Shell.exec(work, "openssl", "verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "server.pem");
        assertEquals(0, verify.exit(), verify.output());

        // port 0: openssl binds a port the kernel picks and prints it ("ACCEPT [::]:PORT") once it listens
        Path out = work.resolve("s_server.out");
        Process tlsServer = new ProcessBuilder(
                        "openssl",
                        "s_server",
                        "-accept",
                        "0",
                        "-cert",
                        "server.pem",
                        "-key",
                        "server.key",
                        "-cert_chain",
                        "chain.pem",
                        "-www")
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            int port = acceptPort(tlsServer, out);
            // A TLS client that trusts only our root completes the handshake with the issued certificate.
            X509Certificate served;
            try (SSLSocket socket =
                    (SSLSocket) APP.anonymousSsl().getSocketFactory().createSocket("localhost", port)) {
                socket.setSoTimeout(60_000); // a hang is the failure
                socket.startHandshake();
                served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            }
            assertEquals(parse((String) issued.get("certificate_pem")), served);
        } finally {
            tlsServer.destroy();
            tlsServer.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The port in openssl's "ACCEPT [::]:PORT" line (a deadline only for a hang). */
    static int acceptPort(Process server, Path out) throws Exception {
        Pattern accept = Pattern.compile("ACCEPT \\S*:(\\d+)");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = accept.matcher(Files.exists(out) ? Files.readString(out) : "");
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(server.isAlive(), "openssl s_server exited: " + Files.readString(out));
            Thread.sleep(20);
        }
        throw new AssertionError("openssl s_server did not listen: " + Files.readString(out));
    }

    @Test
    void certificateCarriesProfileNamesAndPointers() throws Exception {
        Map<String, Object> issued = issue(Api.resource("csr/ec-p256.csr"), "tls-server", null);
        X509Certificate cert = parse((String) issued.get("certificate_pem"));
        X509Certificate issuing = TestAppliance.certificate(APP.issuingPem());

        assertEquals(cert.getSerialNumber().toString(16), issued.get("serial"));
        assertTrue(cert.getSerialNumber().signum() > 0 && cert.getSerialNumber().bitLength() >= 64);
        assertTrue(cert.getSerialNumber().toByteArray().length <= 20);
        assertEquals(-1, cert.getBasicConstraints());
        assertTrue(cert.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
        assertTrue(cert.getCriticalExtensionOIDs().contains(Extension.keyUsage.getId()));
        boolean[] ku = cert.getKeyUsage();
        assertTrue(ku[0], "digitalSignature");
        assertFalse(ku[2], "keyEncipherment is not for EC keys");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage());

        Set<String> sans = new HashSet<>();
        cert.getSubjectAlternativeNames().forEach(n -> sans.add(n.get(0) + ":" + n.get(1)));
        assertEquals(Set.of("2:svc.example.com", "2:api.example.com", "7:10.1.2.3"), sans);
        long days = (cert.getNotAfter().getTime() - System.currentTimeMillis()) / 86_400_000L;
        assertTrue(days >= 89 && days <= 90, "default validity is 90 days, got " + days);

        var holder = new JcaX509CertificateHolder(cert);
        var issuingHolder = new JcaX509CertificateHolder(issuing);
        assertArrayEquals(
                SubjectKeyIdentifier.fromExtensions(issuingHolder.getExtensions())
                        .getKeyIdentifier(),
                AuthorityKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifierOctets());
        assertTrue(holder.getExtension(Extension.subjectKeyIdentifier) != null);

        Path pem = work.resolve("ext.pem");
        Api.write(pem, (String) issued.get("certificate_pem"));
        String text = Shell.exec(null, "openssl", "x509", "-in", pem.toString(), "-noout", "-text")
                .ok()
                .output();
        assertTrue(text.contains("URI:http://localhost:8081/crl/issuing-"), text);
        assertTrue(text.contains("OCSP - URI:http://localhost:8081"), text);
        assertTrue(text.contains("CA Issuers - URI:http://localhost:8081/ca/issuing-"), text);
        assertTrue(((String) issued.get("chain_pem")).split("BEGIN CERTIFICATE").length == 3, "chain: issuing + root");
    }

    @Test
    void acceptsRsaAndEd25519Keys() throws Exception {
        X509Certificate rsa = parse((String)
                issue(Api.resource("csr/rsa-2048.csr"), "tls-server-client", 10).get("certificate_pem"));
        assertTrue(rsa.getKeyUsage()[2], "keyEncipherment kept for RSA");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), rsa.getExtendedKeyUsage());
        X509Certificate ed = parse((String)
                issue(Api.resource("csr/ed25519.csr"), "tls-server", 10).get("certificate_pem"));
        assertEquals("Ed25519", ed.getPublicKey().getAlgorithm().replace("EdDSA", "Ed25519"));
    }

    @Test
    void readsCertificatesBySerialAndPages() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add((String)
                    issue(Api.resource("csr/ec-p256.csr"), "tls-server", 20 + i).get("serial"));
        }
        Map<String, Object> one = Api.parse(admin.get("/api/v1/certificates/" + mine.get(0)));
        assertEquals("valid", one.get("status"));
        assertEquals("tls-server", one.get("profile"));
        assertEquals(List.of("svc.example.com", "api.example.com"), one.get("dns_names"));
        assertEquals(List.of("10.1.2.3"), one.get("ip_addresses"));
        assertTrue(((Number) one.get("days_until_expiry")).intValue() >= 19);
        // Upper-case and leading zeros name the same certificate.
        assertEquals(
                200,
                admin.get("/api/v1/certificates/00" + mine.get(0).toUpperCase(Locale.ROOT))
                        .statusCode());

        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> r =
                    admin.get("/api/v1/certificates?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, r.statusCode(), r.body());
            var page = Api.parse(r);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) page.get("certificates");
            rows.forEach(row -> assertTrue(seen.add((String) row.get("serial")), "no row twice"));
            cursor = (String) page.get("next_cursor");
            pages++;
        } while (cursor != null && pages < 50);
        assertTrue(seen.containsAll(mine), "pagination reached every certificate");

        var soon = Api.parse(admin.get("/api/v1/certificates?expiring_within_days=21&limit=500"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) soon.get("certificates");
        Set<String> soonSerials = new HashSet<>();
        rows.forEach(r -> soonSerials.add((String) r.get("serial")));
        assertTrue(soonSerials.contains(mine.get(0)) && soonSerials.contains(mine.get(1)));
        assertFalse(soonSerials.contains(mine.get(2)), "22-day certificate is outside 21 days");
        assertNull(soon.get("next_cursor"));
        var revoked = Api.parse(admin.get("/api/v1/certificates?status=revoked"));
        assertEquals(List.of(), revoked.get("certificates"));
    }

    @Test
    void onlyTheAdminMayIssueOrRead() throws Exception {
        HttpResponse<String> noCert = anonymous.postJson(
                "/api/v1/certificates", Api.issueBody(Api.resource("csr/ec-p256.csr"), "tls-server", null));
        assertEquals(401, noCert.statusCode());
        assertEquals("client_certificate_required", Api.parse(noCert).get("error"));
        assertEquals(401, anonymous.get("/api/v1/certificates").statusCode());

        // A client certificate from this CA, but not the admin's: refused with 403.
        Shell.exec(
                        work,
                        "openssl",
                        "req",
                        "-new",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-keyout",
                        "client.key",
                        "-subj",
                        "/CN=some-client",
                        "-out",
                        "client.csr")
                .ok();
        Map<String, Object> issued = issue(Files.readString(work.resolve("client.csr")), "tls-client", 5);
        Api.write(work.resolve("client.pem"), (String) issued.get("certificate_pem") + issued.get("chain_pem"));
        Shell.exec(
                        work,
                        "openssl",
                        "pkcs12",
                        "-export",
                        "-in",
                        "client.pem",
                        "-inkey",
                        "client.key",
                        "-out",
                        "client.p12",
                        "-passout",
                        "pass:changeit")
                .ok();
        var p12 = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(work.resolve("client.p12"))) {
            p12.load(in, "changeit".toCharArray());
        }
        Api client = new Api(APP.sslContext(p12, "changeit".toCharArray()), server.getPort());
        HttpResponse<String> r = client.get("/api/v1/certificates");
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("not_admin", Api.parse(r).get("error"));
    }

    @Test
    void publicEndpointsAnswerWithoutACertificate() {
        HttpResponse<String> health = anonymous.get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals(Map.of("status", "UP"), Api.parse(health));
        HttpResponse<String> chain = anonymous.get("/api/v1/ca/chain");
        assertEquals(200, chain.statusCode());
        assertEquals(2, chain.body().split("BEGIN CERTIFICATE").length - 1);
        assertTrue(chain.headers().firstValue("Strict-Transport-Security").isPresent());
    }

    @Test
    void curlWithTheAdminPemCredential() {
        String serial =
                (String) issue(Api.resource("csr/ec-p256.csr"), "tls-server", 7).get("serial");
        Shell.Result r = Shell.exec(
                APP.dir(),
                "curl",
                "-sS",
                "--fail-with-body",
                "--cacert",
                "ca/root.pem",
                "--cert",
                "admin/admin.crt.pem",
                "--key",
                "admin/admin.key.pem",
                "https://localhost:" + server.getPort() + "/api/v1/certificates/" + serial);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("\"serial\":\"" + serial + "\""), r.output());
    }

    @Test
    void servesTls13OnlyFromItsHsmKey() throws Exception {
        var ssl12 = SSLContext.getInstance("TLSv1.2");
        ssl12.init(null, null, null);
        try (SSLSocket socket = (SSLSocket) ssl12.getSocketFactory().createSocket("localhost", server.getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            assertThrows(SSLException.class, socket::startHandshake);
        }
        // TLS 1.1 and 1.2 from the real openssl client are refused too; 1.3 is accepted.
        for (String old : new String[] {"-tls1_1", "-tls1_2"}) {
            Shell.Result r = Shell.exec(
                    work,
                    new byte[0],
                    "openssl",
                    "s_client",
                    old,
                    "-connect",
                    "localhost:" + server.getPort(),
                    "-CAfile",
                    APP.rootPem().toString());
            assertTrue(
                    r.output().contains("alert protocol version") || r.output().contains("no protocols available"),
                    old + ": " + r.output());
            assertTrue(
                    r.output().contains("Cipher is (NONE)") || !r.output().contains("Cipher is"),
                    old + ": " + r.output());
        }
        Shell.Result ok = Shell.exec(
                work,
                new byte[0],
                "openssl",
                "s_client",
                "-tls1_3",
                "-connect",
                "localhost:" + server.getPort(),
                "-CAfile",
                APP.rootPem().toString());
        assertTrue(
                ok.output().contains("Verify return code: 0 (ok)")
                        && ok.output().contains("TLSv1.3"),
                ok.output());
        try (SSLSocket socket =
                (SSLSocket) APP.anonymousSsl().getSocketFactory().createSocket("localhost", server.getPort())) {
            socket.startHandshake();
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertEquals(TestAppliance.certificate(APP.dir().resolve("ca/tls.pem")), served);
        }
    }
}
