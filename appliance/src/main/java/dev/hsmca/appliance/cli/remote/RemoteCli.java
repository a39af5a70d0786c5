package dev.hsmca.appliance.cli.remote;

import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Operator commands that talk to the running appliance over mTLS with the admin credential. They need no
 * HSM and no database, so they run without an application context.
 */
@Command(
        name = "appliance",
        mixinStandardHelpOptions = true,
        subcommands = {
            CertCommand.class,
            TokenCommand.class,
            EnrollKeyCommand.class,
            ServiceCommand.class,
            RemoteCaCommand.class,
            HealthCommand.class,
            AcmeCommand.class
        })
public final class RemoteCli {
    private static final Set<String> GROUPS = Set.of("cert", "token", "enroll-key", "service", "health", "acme");

    /** Whether these arguments name a remote command. */
    public static boolean handles(String... args) {
        if (args.length == 0) {
            return false;
        }
        return GROUPS.contains(args[0])
                || (args[0].equals("ca")
                        && args.length > 1
                        && (args[1].equals("check-expiry") || args[1].equals("create-server-cert")));
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = new CommandLine(new RemoteCli());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr()
                    .println("error: "
                            + (e instanceof ApiClient.CliError ? e.getMessage() : String.valueOf(e.getMessage())));
            return 1;
        });
        return cmd.execute(args);
    }
}
