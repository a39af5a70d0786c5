package dev.hsmca.appliance.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "health", mixinStandardHelpOptions = true, description = "Exit 0 when the appliance reports UP, else 1.")
public class HealthCommand implements Callable<Integer> {
    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var r = remote.client().get("/health");
        Object status = r.json() == null ? null : r.json().get("status");
        if (remote.json) {
            Output.json(spec, r.json() == null ? java.util.Map.of("status", "UNKNOWN") : r.json());
        } else {
            spec.commandLine().getOut().println((status == null ? "UNKNOWN" : status) + " (HTTP " + r.status() + ")");
            spec.commandLine().getOut().flush();
        }
        return "UP".equals(status) ? 0 : 1;
    }
}
