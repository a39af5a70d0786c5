package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.setup.CaInitializer;
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

    @Spec
    CommandSpec spec;

    /** Resolved when the command runs: building the command line must not open the HSM. */
    @Inject
    Provider<CaInitializer> initializerProvider;

    @Inject
    CaConfig config;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        CaInitializer initializer = initializerProvider.get();
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
        out.println("CA initialized. Certificates in " + config.outputDir()
                + "/ (root.pem, issuing.pem, chain.pem, ocsp.pem, tls.pem).");
        out.println("Admin credential: " + config.adminDir() + "/admin.p12 (password in admin.pass), "
                + "or admin.crt.pem + admin.key.pem.");
        return 0;
    }
}
