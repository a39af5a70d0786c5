package dev.hsmca.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "ca",
        mixinStandardHelpOptions = true,
        description = "Manage the CA hierarchy in the HSM.",
        subcommands = {CaInitCommand.class, CaStatusCommand.class, CeremonyCommand.class})
public class CaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
