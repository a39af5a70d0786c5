package dev.hsmca.appliance.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.jobs.TlsRenewal;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.testing.Shell;
import dev.hsmca.hsm.testing.TestHsm;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The appliance renews its own HTTPS certificate in the HSM, and new connections get it without a restart. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsRenewalTest implements TestPropertyProvider {
    // The TLS certificate lives 90 days: a 100-day threshold makes it due at once. Scheduled runs are kept away.
    static final TestAppliance APP = TestAppliance.h2()
            .with("pki.tls.renew-before-days", "100")
            .with("pki.jobs.initial-delay", "1h")
            .initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    TlsRenewal renewal;

    @Inject
    CaHierarchy ca;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    X509Certificate served() throws Exception {
        try (SSLSocket socket =
                (SSLSocket) APP.anonymousSsl().getSocketFactory().createSocket("localhost", server.getPort())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void renewsBeforeExpiryWithoutRestart() throws Exception {
        X509Certificate before = served();
        assertEquals(TestAppliance.certificate(APP.dir().resolve("ca/tls.pem")), before);

        assertTrue(renewal.renewIfDue());
        X509Certificate after = served();
        assertNotEquals(before.getSerialNumber(), after.getSerialNumber());
        assertEquals(
                new ArrayList<>(before.getSubjectAlternativeNames()),
                new ArrayList<>(after.getSubjectAlternativeNames()));
        assertEquals(after, ca.member(CaRole.TLS).certificate());
        assertTrue(ca.member(CaRole.TLS).record().keyAlias().startsWith("tls-"), "a new key, under a new alias");

        Path dir = Files.createTempDirectory("tlsrenew");
        StringWriter pem = new StringWriter();
        try (var w = new JcaPEMWriter(pem)) {
            w.writeObject(after);
        }
        Files.writeString(dir.resolve("tls.pem"), pem.toString());
        Shell.Result v = Shell.exec(
                dir,
                "openssl",
                "verify",
                "-CAfile",
                APP.rootPem().toString(),
                "-untrusted",
                APP.issuingPem().toString(),
                "tls.pem");
        assertEquals(0, v.exit(), v.output());
        // The new key is in the HSM like the others: sensitive, never extractable.
        String listing = Shell.exec(
                        null,
                        "pkcs11-tool",
                        "--module",
                        TestHsm.LIBRARY,
                        "--token-label",
                        APP.token().label(),
                        "--login",
                        "--pin",
                        new String(APP.token().pin()),
                        "--list-objects",
                        "--type",
                        "privkey")
                .ok()
                .output();
        assertEquals(
                6,
                listing.lines().filter(l -> l.startsWith("Private Key Object")).count(),
                listing);
        assertEquals(
                6,
                listing.lines()
                        .filter(l -> l.contains("always sensitive") && l.contains("never extractable"))
                        .count(),
                listing);
    }
}
