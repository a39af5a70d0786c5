package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.audit.AuditAnchor;
import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.setup.AlreadyInitializedException;
import dev.hsmca.appliance.setup.CaInitializer;
import dev.hsmca.appliance.setup.OfflineRoot;
import dev.hsmca.appliance.x509.Pem;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description =
                "Create the root, issuing, OCSP and TLS keys in the HSM, their certificates, and the admin credential.")
public class CaInitCommand implements Callable<Integer> {
    @Option(
            names = "--force",
            description = "Replace an existing CA (new keys, new root: everything issued before becomes untrusted).")
    boolean force;

    @Option(names = "--if-needed", description = "Do nothing, successfully, when the CA is already initialized.")
    boolean ifNeeded;

    @Option(
            names = "--offline-root",
            description =
                    "The root is kept in an offline HSM (docs/operations.md): first with "
                            + "--root-cert only (writes issuing.csr), then with --issuing-cert and --root-crl from the ceremony.")
    boolean offlineRoot;

    @Option(names = "--root-cert", description = "The offline root's certificate (PEM), from 'ca ceremony root'.")
    Path rootCert;

    @Option(names = "--issuing-cert", description = "The issuing CA certificate the ceremony signed (PEM).")
    Path issuingCert;

    @Option(names = "--root-crl", description = "The root's CRL from the ceremony (DER or PEM).")
    Path rootCrl;

    @Spec
    CommandSpec spec;

    /** Resolved when the command runs: building the command line must not open the HSM. */
    @Inject
    Provider<CaInitializer> initializerProvider;

    @Inject
    Provider<OfflineRoot> offlineRootProvider;

    @Inject
    CaConfig config;

    @Inject
    Provider<AuditAnchor> anchor;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        CaInitializer initializer = initializerProvider.get();
        if (offlineRoot || rootCert != null || issuingCert != null || rootCrl != null) {
            return offlineRoot(initializer, offlineRootProvider.get(), out);
        }
        if (ifNeeded && !force && initializer.initialized()) {
            out.println("CA already initialized; nothing to do.");
            return 0;
        }
        try {
            initializer.initialize(force);
        } catch (AlreadyInitializedException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
        printDone(out);
        return 0;
    }

    private Integer offlineRoot(CaInitializer initializer, OfflineRoot steps, PrintWriter out) {
        var err = spec.commandLine().getErr();
        if (!offlineRoot || rootCert == null || force) {
            err.println("error: the offline-root steps take --offline-root --root-cert FILE (then --issuing-cert and "
                    + "--root-crl), and no --force");
            return 2;
        }
        if (ifNeeded && initializer.initialized()) {
            out.println("CA already initialized; nothing to do.");
            return 0;
        }
        if ((issuingCert == null) != (rootCrl == null)) {
            err.println("error: --issuing-cert and --root-crl come together, from the ceremony");
            return 2;
        }
        try {
            X509Certificate root = CeremonyFiles.certificate(rootCert);
            if (issuingCert == null) {
                Path csr = Path.of(config.outputDir()).resolve("issuing.csr");
                Files.createDirectories(csr.getParent());
                Files.writeString(csr, Pem.encode(new PKCS10CertificationRequest(steps.request())));
                out.println("The issuing CA's key is in this HSM; its request is " + csr + ". At the ceremony: "
                        + "'ca ceremony sign-issuing --csr issuing.csr --root-cert root.pem --out issuing.pem' and "
                        + "'ca ceremony root-crl --root-cert root.pem --out root.crl', then run this again with "
                        + "--issuing-cert issuing.pem --root-crl root.crl.");
                return 0;
            }
            steps.complete(root, CeremonyFiles.certificate(issuingCert), CeremonyFiles.crl(rootCrl));
        } catch (AlreadyInitializedException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        out.println("CA initialized with the root offline (this HSM holds no root key).");
        printDone(out);
        return 0;
    }

    private void printDone(PrintWriter out) {
        // this host's first anchor: its first start then finds one (a non-empty log without one is refused)
        anchor.get()
                .anchorIfAbsent()
                .ifPresent(a -> out.println("Audit anchor: " + anchor.get().file() + " (entry " + a.seq() + ")."));
        out.println("CA initialized. Certificates in " + config.outputDir()
                + "/ (root.pem, issuing.pem, chain.pem, ocsp.pem, tls.pem).");
        out.println("Admin credential: " + config.adminDir() + "/admin.p12 (password in admin.pass), "
                + "or admin.crt.pem + admin.key.pem.");
    }

    /** PEM or DER files a ceremony hands over. */
    static final class CeremonyFiles {
        private CeremonyFiles() {}

        static X509Certificate certificate(Path file) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            } catch (CertificateException e) {
                throw new IllegalArgumentException(file + " is not a certificate: " + e.getMessage());
            }
        }

        static X509CRL crl(Path file) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
            } catch (CertificateException | CRLException e) {
                throw new IllegalArgumentException(file + " is not a CRL: " + e.getMessage());
            }
        }
    }
}
