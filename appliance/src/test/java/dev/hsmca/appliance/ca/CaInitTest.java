package dev.hsmca.appliance.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.audit.AuditAnchor;
import dev.hsmca.appliance.cli.Cli;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import dev.hsmca.hsm.testing.TestHsm;
import io.micronaut.context.ApplicationContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CaInitTest {
    private static TestAppliance app;
    private static TestAppliance other;

    @BeforeAll
    static void init() {
        // Both tokens exist before SoftHSM is loaded in this JVM (it does not see later ones).
        app = TestAppliance.h2();
        other = TestAppliance.h2();
        app.initialize();
        other.initialize();
    }

    private static String text(Path pem) {
        return Shell.exec(null, "openssl", "x509", "-in", pem.toString(), "-noout", "-text")
                .ok()
                .output();
    }

    @Test
    void hierarchyVerifiesWithOpenssl() {
        Path ca = app.dir().resolve("ca");
        for (String leaf : new String[] {"tls.pem", "ocsp.pem"}) {
            Shell.Result r =
                    Shell.exec(ca, "openssl", "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", leaf);
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains(leaf + ": OK"), r.output());
        }
        // The issuing CA alone does not make a trust anchor for openssl: the chain really goes to the root.
        Shell.Result wrong = Shell.exec(ca, "openssl", "verify", "-CAfile", "issuing.pem", "tls.pem");
        assertNotEquals(0, wrong.exit(), wrong.output());
    }

    @Test
    void caCertificatesCarryTheSpecifiedExtensions() {
        Path ca = app.dir().resolve("ca");
        String root = text(ca.resolve("root.pem"));
        assertTrue(root.contains("CA:TRUE"), root);
        assertTrue(root.contains("Certificate Sign, CRL Sign"), root);
        assertTrue(root.contains("secp384r1") || root.contains("P-384"), root);

        String issuing = text(ca.resolve("issuing.pem"));
        assertTrue(issuing.contains("CA:TRUE, pathlen:0"), issuing);
        assertTrue(issuing.contains("prime256v1") || issuing.contains("P-256"), issuing);
        assertTrue(issuing.contains("X509v3 Authority Key Identifier"), issuing);
        assertTrue(issuing.contains("X509v3 CRL Distribution Points"), issuing);

        String ocsp = text(ca.resolve("ocsp.pem"));
        assertTrue(ocsp.contains("OCSP Signing"), ocsp);
        assertTrue(ocsp.contains("OCSP No Check"), ocsp);
        assertTrue(ocsp.contains("CA:FALSE"), ocsp);

        String tls = text(ca.resolve("tls.pem"));
        assertTrue(tls.contains("DNS:localhost"), tls);
        assertTrue(tls.contains("IP Address:127.0.0.1"), tls);
        assertTrue(tls.contains("TLS Web Server Authentication"), tls);
    }

    @Test
    void everyCaKeyIsInsideTheHsmSensitiveAndNeverExtractable() {
        TestHsm.Token token = app.token();
        String listing = Shell.exec(
                        null,
                        "pkcs11-tool",
                        "--module",
                        TestHsm.LIBRARY,
                        "--token-label",
                        token.label(),
                        "--login",
                        "--pin",
                        new String(token.pin()),
                        "--list-objects",
                        "--type",
                        "privkey")
                .ok()
                .output();
        long keys =
                listing.lines().filter(l -> l.startsWith("Private Key Object")).count();
        long safe = listing.lines()
                .filter(l -> l.contains("Access:")
                        && l.contains("always sensitive")
                        && l.contains("never extractable")
                        && l.contains("local"))
                .count();
        assertEquals(5, keys, listing); // root, issuing, OCSP signer, TLS, audit anchor
        assertEquals(5, safe, listing);
    }

    @Test
    void adminCredentialIsPrivate() throws Exception {
        for (String f : new String[] {"admin.p12", "admin.pass", "admin.key.pem", "admin.crt.pem"}) {
            Path p = app.adminDir().resolve(f);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), f);
        }
        Shell.Result r = Shell.exec(
                app.adminDir(),
                "openssl",
                "pkcs12",
                "-in",
                "admin.p12",
                "-passin",
                "file:admin.pass",
                "-nokeys",
                "-clcerts");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("CN = admin") || r.output().contains("CN=admin"), r.output());
        Shell.Result key = Shell.exec(app.adminDir(), "openssl", "pkey", "-in", "admin.key.pem", "-noout", "-text");
        assertEquals(0, key.exit(), key.output());
    }

    @Test
    void statusInitRefusalAndForce() {
        try (ApplicationContext context = app.context()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = Cli.run(context, new PrintWriter(out, true), new PrintWriter(err, true), "ca", "status");
            assertEquals(0, status, err.toString());
            for (String role : new String[] {"root", "issuing", "ocsp", "tls"}) {
                assertTrue(out.toString().contains(role + " "), out.toString());
            }
            assertTrue(out.toString().contains("ec-p384"), out.toString());

            err = new StringWriter();
            int again = Cli.run(context, new PrintWriter(new StringWriter()), new PrintWriter(err, true), "ca", "init");
            assertEquals(2, again);
            assertTrue(err.toString().contains("already initialized"), err.toString());

            int ifNeeded = Cli.run(
                    context,
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()),
                    "ca",
                    "init",
                    "--if-needed");
            assertEquals(0, ifNeeded);
        }
    }

    @Test
    void forceReplacesTheHierarchy() throws Exception {
        String before = Files.readString(other.rootPem());
        Files.delete(other.dir().resolve("audit/anchor")); // a host without one: ca init writes its first anchor
        try (ApplicationContext context = other.context()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code =
                    Cli.run(context, new PrintWriter(out, true), new PrintWriter(err, true), "ca", "init", "--force");
            assertEquals(0, code, err.toString());
            assertTrue(context.getBean(CaHierarchy.class).initialized());
            assertTrue(out.toString().contains("Audit anchor: "), out.toString());
            assertTrue(context.getBean(AuditAnchor.class).check().ok());
        }
        assertTrue(Files.exists(other.dir().resolve("audit/anchor")));
        assertNotEquals(before, Files.readString(other.rootPem()));
        Shell.Result r = Shell.exec(
                other.dir().resolve("ca"),
                "openssl",
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "issuing.pem",
                "tls.pem");
        assertEquals(0, r.exit(), r.output());
    }
}
