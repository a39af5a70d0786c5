package dev.hsmca.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "appliance",
        mixinStandardHelpOptions = true,
        description = {
            "HSM-backed CA appliance. Without a command (or with 'serve') it starts the HTTPS server.",
            "Against a running appliance (mTLS, admin credential): cert list/info/revoke, token create/list/revoke,",
            "service list, ca check-expiry --alert-days N, health."
        },
        subcommands = {CaCommand.class, AuditCommand.class, CrlCommand.class})
public class ApplianceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
