package dev.hsmca.appliance.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "acme", mixinStandardHelpOptions = true, description = "ACME (RFC 8555).",
        subcommands = {AcmeCommand.Eab.class})
public class AcmeCommand {

    @Command(name = "eab", mixinStandardHelpOptions = true, description = "External Account Binding keys.")
    static class Eab {
        @Spec
        CommandSpec spec;

        @Command(name = "create", mixinStandardHelpOptions = true,
                description = "A key id and HMAC key binding one ACME account to a service and the names it may order.")
        int create(@Mixin RemoteOptions remote,
                   @Option(names = "--service", required = true) String service,
                   @Option(names = "--allow-dns", required = true, split = ",",
                           description = "Names the account may order; *.domain allows the wildcard and names one label below.")
                   List<String> dns,
                   @Option(names = "--profile", description = "Certificate profile (default: pki.acme.default-profile).") String profile) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("service", service);
            body.put("allow_dns", dns);
            if (profile != null) {
                body.put("profile", profile);
            }
            ApiClient api = remote.client();
            Map<String, Object> created = api.ok(api.post("/api/v1/acme/eab", body));
            if (remote.json) {
                Output.json(spec, Map.of("kid", created.get("kid"), "hmac_key", created.get("hmac_key")));
            } else {
                var out = spec.commandLine().getOut();
                out.println("kid:      " + created.get("kid"));
                out.println("hmac_key: " + created.get("hmac_key"));
                out.println("service " + created.get("service") + ", profile " + created.get("profile") + ", names "
                        + created.get("allowed_dns") + " (the HMAC key is shown once; it binds one account)");
                out.flush();
            }
            return 0;
        }
    }
}
