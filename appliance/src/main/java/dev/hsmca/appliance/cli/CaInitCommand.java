package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.setup.CaInitializer;
import dev.hsmca.appliance.audit.AuditAnchor;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create the root, issuing, OCSP and TLS keys in the HSM, their certificates, and the admin credential.")
public class CaInitCommand implements Callable<Integer> {
    @Option(names = "--force", description = "Replace an existing CA (new keys, new root: everything issued before becomes untrusted).")
    boolean force;

    @Option(names = "--if-needed", description = "Do nothing, successfully, when the CA is already initialized.")
    boolean ifNeeded;

    @Option(names = "--offline-root", description = "The root is kept in an offline HSM (docs/operations.md): first with "
            + "--root-cert only (writes issuing.csr), then with --issuing-cert and --root-crl from the ceremony.")
    boolean offlineRoot;

    @Option(names = "--root-cert", description = "The offline root's certificate (PEM), from 'ca ceremony root'.")
    java.nio.file.Path rootCert;

    @Option(names = "--issuing-cert", description = "The issuing CA certificate the ceremony signed (PEM).")
    java.nio.file.Path issuingCert;

    @Option(names = "--root-crl", description = "The root's CRL from the ceremony (DER or PEM).")
    java.nio.file.Path rootCrl;

    @Spec
    CommandSpec spec;

    /** Resolved when the command runs: building the command line must not open the HSM. */
    @Inject
    Provider<CaInitializer> initializerProvider;

    @Inject
    CaConfig config;

    @Inject
    Provider<AuditAnchor> anchor;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        CaInitializer initializer = initializerProvider.get();
        if (offlineRoot || rootCert != null || issuingCert != null || rootCrl != null) {
            return offlineRoot(initializer, out);
        }
        if (ifNeeded && !force && initializer.initialized()) {
            out.println("CA already initialized; nothing to do.");
            return 0;
        }
        try {
            initializer.initialize(force);
        } catch (CaInitializer.AlreadyInitializedException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
        printDone(out);
        return 0;
    }

    private Integer offlineRoot(CaInitializer initializer, java.io.PrintWriter out) {
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
            java.security.cert.X509Certificate root = Files.certificate(rootCert);
            if (issuingCert == null) {
                java.nio.file.Path csr = java.nio.file.Path.of(config.outputDir()).resolve("issuing.csr");
                java.nio.file.Files.createDirectories(csr.getParent());
                java.nio.file.Files.writeString(csr, dev.hsmca.appliance.x509.Pem.encode(
                        new org.bouncycastle.pkcs.PKCS10CertificationRequest(initializer.offlineRootRequest())));
                out.println("The issuing CA's key is in this HSM; its request is " + csr + ". At the ceremony: "
                        + "'ca ceremony sign-issuing --csr issuing.csr --root-cert root.pem --out issuing.pem' and "
                        + "'ca ceremony root-crl --root-cert root.pem --out root.crl', then run this again with "
                        + "--issuing-cert issuing.pem --root-crl root.crl.");
                return 0;
            }
            initializer.completeOfflineRoot(root, Files.certificate(issuingCert), Files.crl(rootCrl));
        } catch (CaInitializer.AlreadyInitializedException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        out.println("CA initialized with the root offline (this HSM holds no root key).");
        printDone(out);
        return 0;
    }

    private void printDone(java.io.PrintWriter out) {
        // this host's first anchor: its first start then finds one (a non-empty log without one is refused)
        anchor.get().anchorIfAbsent().ifPresent(a -> out.println("Audit anchor: " + anchor.get().file() + " (entry " + a.seq() + ")."));
        out.println("CA initialized. Certificates in " + config.outputDir()
                + "/ (root.pem, issuing.pem, chain.pem, ocsp.pem, tls.pem).");
        out.println("Admin credential: " + config.adminDir() + "/admin.p12 (password in admin.pass), "
                + "or admin.crt.pem + admin.key.pem.");
    }

    /** PEM or DER files a ceremony hands over. */
    static final class Files {
        private Files() {
        }

        static java.security.cert.X509Certificate certificate(java.nio.file.Path file) throws java.io.IOException {
            try (var in = java.nio.file.Files.newInputStream(file)) {
                return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(in);
            } catch (java.security.cert.CertificateException e) {
                throw new IllegalArgumentException(file + " is not a certificate: " + e.getMessage());
            }
        }

        static java.security.cert.X509CRL crl(java.nio.file.Path file) throws java.io.IOException {
            try (var in = java.nio.file.Files.newInputStream(file)) {
                return (java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(in);
            } catch (java.security.cert.CertificateException | java.security.cert.CRLException e) {
                throw new IllegalArgumentException(file + " is not a CRL: " + e.getMessage());
            }
        }
    }
}
