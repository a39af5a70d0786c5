package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.crl.CrlService;
import dev.hsmca.core.CaRole;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "crl",
        mixinStandardHelpOptions = true,
        description = "Certificate revocation lists.",
        subcommands = {CrlCommand.Generate.class, CrlCommand.Import.class})
public class CrlCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = "Issue new CRLs for the issuing CA and the root now (signed in the HSM).")
    public static class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Inject
        Provider<CrlService> crls;

        @Override
        public Integer call() {
            for (CrlService.Issued i : crls.get().generateAll("cli:crl-generate")) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "%s: CRL #%d, %d entries, %d bytes, next update %s (%d ms)%n",
                                i.caId(), i.number(), i.entries(), i.bytes(), i.nextUpdate(), i.millis());
            }
            return 0;
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = "Store the offline root's CRL signed at a ceremony ('ca ceremony root-crl').")
    public static class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Inject
        Provider<CrlService> crls;

        @Option(names = "--root-crl", required = true, description = "The CRL file (PEM or DER).")
        Path file;

        @Override
        public Integer call() throws IOException {
            try {
                crls.get().importCrl(CaRole.ROOT, CaInitCommand.CeremonyFiles.crl(file), "cli:crl-import");
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 2;
            }
            spec.commandLine().getOut().println("root CRL imported from " + file);
            return 0;
        }
    }
}
