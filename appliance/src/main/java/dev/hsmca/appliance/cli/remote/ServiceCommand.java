package dev.hsmca.appliance.cli.remote;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "service", mixinStandardHelpOptions = true, description = "The service registry.")
public class ServiceCommand {
    @Spec
    CommandSpec spec;

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Registered services and their certificates.")
    int list(@Mixin RemoteOptions remote) {
        ApiClient api = remote.client();
        Map<String, Object> page = api.ok(api.get("/api/v1/services"));
        if (remote.json) {
            Output.json(spec, page);
            return 0;
        }
        Table t = new Table("SERVICE", "DISPLAY NAME", "CERTIFICATE", "DAYS", "LAST RENEWAL", "ENDPOINTS");
        Output.list(page, "services").forEach(s -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> cert = (Map<String, Object>) s.get("current_certificate");
            t.row(
                    s.get("service"),
                    s.get("display_name"),
                    cert == null ? null : cert.get("serial"),
                    s.get("days_until_expiry"),
                    s.get("last_renewal_at"),
                    s.get("endpoints"));
        });
        t.print(spec.commandLine().getOut());
        return 0;
    }
}
