package dev.hsmca.appliance.testing;

import dev.hsmca.appliance.audit.AuditAnchor;
import dev.hsmca.appliance.setup.CaInitializer;
import dev.hsmca.hsm.testing.TestHsm;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A complete appliance for a test class: its own SoftHSM token, its own database (H2 file or a fresh
 * PostgreSQL database), and a CA initialized the way {@code ca init} does it, in a separate context
 * before the server under test starts.
 */
public final class TestAppliance {
    private final TestHsm.Token token;
    private final Path dir;
    private final Map<String, String> properties = new HashMap<>();

    private TestAppliance(TestHsm.Token token, Path dir, TestDatabases.Database db) {
        this.token = token;
        this.dir = dir;
        properties.put("pki.hsm.library", TestHsm.LIBRARY);
        properties.put("pki.hsm.token-label", token.label());
        properties.put("pki.hsm.pin-file", token.pinFile().toString());
        properties.put("pki.hsm.pin-env", "PKI_TEST_NO_SUCH_VARIABLE");
        properties.put("pki.ca.output-dir", dir.resolve("ca").toString());
        properties.put("pki.ca.admin-dir", dir.resolve("admin").toString());
        properties.put("pki.crl.work-dir", dir.resolve("crl").toString());
        // Tests written before deltas read the full CRL right after a revocation; a few shards keep a start cheap.
        properties.put("pki.crl.full-interval", "0s");
        properties.put("pki.crl.shards", "4");
        properties.put("pki.audit.anchor-file", dir.resolve("audit/anchor").toString());
        properties.put("micronaut.server.ssl.port", "-1");
        properties.putAll(db.properties());
    }

    /** A fresh token and H2 database; call {@link #initialize()} before starting a server. */
    public static TestAppliance h2() {
        Path dir = tempDir();
        return new TestAppliance(TestHsm.newToken("app"), dir, TestDatabases.h2(dir));
    }

    public static TestAppliance postgres() {
        return postgres(TestDatabases.freshPostgres());
    }

    public static TestAppliance postgres(TestDatabases.Database database) {
        return new TestAppliance(TestHsm.newToken("app"), tempDir(), database);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("hsmca-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a property for the CA's context and the server's (before {@link #initialize()}). */
    public TestAppliance with(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** The database and HSM properties another process (the OCSP responder) needs to share them. */
    public Map<String, String> shared() {
        Map<String, String> shared = new HashMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith("datasources.") || k.startsWith("pki.hsm.")) {
                shared.put(k, v);
            }
        });
        return shared;
    }

    /** {@code ca init}: in a context of the command line's environment, as the command runs it (no server's jobs). */
    public TestAppliance initialize() {
        Map<String, Object> all = new HashMap<>(properties);
        try (ApplicationContext context = ApplicationContext.builder()
                .properties(all)
                .environments("test", Environment.CLI)
                .start()) {
            context.getBean(CaInitializer.class).initialize(false);
            context.getBean(AuditAnchor.class).anchorIfAbsent(); // as ca init does
        }
        return this;
    }

    /** An application context (no HTTP server) over this appliance's token and database. */
    public ApplicationContext context() {
        return context(Map.of());
    }

    /** The same, with some properties set for this context only (the appliance keeps its own). */
    public ApplicationContext context(Map<String, String> overrides) {
        Map<String, Object> all = new HashMap<>(properties);
        all.putAll(overrides);
        return ApplicationContext.builder().properties(all).environments("test").start();
    }

    public Map<String, String> properties() {
        return Map.copyOf(properties);
    }

    public TestHsm.Token token() {
        return token;
    }

    public Path dir() {
        return dir;
    }

    public Path rootPem() {
        return dir.resolve("ca/root.pem");
    }

    public Path issuingPem() {
        return dir.resolve("ca/issuing.pem");
    }

    public Path adminDir() {
        return dir.resolve("admin");
    }

    public X509Certificate root() {
        return certificate(rootPem());
    }

    public static X509Certificate certificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pem, e);
        }
    }

    /** TLS client context trusting only this CA's root, optionally presenting a PKCS#12 identity. */
    public SSLContext sslContext(KeyStore identity, char[] password) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (identity != null) {
                kmf = KeyManagerFactory.getInstance("PKIX");
                kmf.init(identity, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public SSLContext adminSsl() {
        try {
            char[] password = Files.readString(adminDir().resolve("admin.pass"), StandardCharsets.UTF_8)
                    .trim()
                    .toCharArray();
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(adminDir().resolve("admin.p12"))) {
                p12.load(in, password);
            }
            return sslContext(p12, password);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public SSLContext anonymousSsl() {
        return sslContext(null, null);
    }
}
