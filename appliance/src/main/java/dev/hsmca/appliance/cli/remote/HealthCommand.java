package dev.hsmca.appliance.cli.remote;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        description = "Exit 0 when the appliance reports UP, else 1.")
public class HealthCommand implements Callable<Integer> {
    @Mixin
    RemoteOptions remote;

    /** The integration notes write {@code health check}. */
    @Parameters(arity = "0..1", paramLabel = "check", description = "Optional word: health check.")
    String word;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (word != null && !word.equals("check")) {
            throw new ParameterException(
                    spec.commandLine(), "unknown argument '" + word + "': the command is 'health' or 'health check'");
        }
        var r = remote.client().get("/health");
        Object status = r.json() == null ? null : r.json().get("status");
        if (remote.json) {
            Output.json(spec, r.json() == null ? Map.of("status", "UNKNOWN") : r.json());
        } else {
            spec.commandLine().getOut().println((status == null ? "UNKNOWN" : status) + " (HTTP " + r.status() + ")");
            spec.commandLine().getOut().flush();
        }
        return "UP".equals(status) ? 0 : 1;
    }
}
