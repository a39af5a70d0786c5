package dev.hsmca.appliance.testing;

import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/** What a service does with the real openssl: make a key and CSR, bundle its certificate for mTLS. */
public final class Openssl {
    private Openssl() {}

    /** Writes NAME.key and NAME.csr (EC P-256) and returns the CSR PEM. */
    public static String keyAndCsr(Path dir, String name, String cn, String san) {
        var cmd = new ArrayList<>(List.of(
                "openssl",
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                name + ".key",
                "-subj",
                "/CN=" + cn,
                "-out",
                name + ".csr"));
        if (san != null) {
            cmd.add("-addext");
            cmd.add("subjectAltName=" + san);
        }
        Shell.exec(dir, cmd.toArray(String[]::new)).ok();
        try {
            return Files.readString(dir.resolve(name + ".csr"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TLS client context presenting NAME.key with the issued certificate, trusting only the CA's root. */
    public static SSLContext identity(
            TestAppliance app, Path dir, String name, String certificatePem, String chainPem) {
        Api.write(dir.resolve(name + ".pem"), certificatePem + chainPem);
        Shell.exec(
                        dir,
                        "openssl",
                        "pkcs12",
                        "-export",
                        "-in",
                        name + ".pem",
                        "-inkey",
                        name + ".key",
                        "-out",
                        name + ".p12",
                        "-passout",
                        "pass:changeit")
                .ok();
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(in, "changeit".toCharArray());
            return app.sslContext(p12, "changeit".toCharArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
