package dev.hsmca.appliance.cli.remote;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "acme",
        mixinStandardHelpOptions = true,
        description = "ACME (RFC 8555).",
        subcommands = {AcmeCommand.Eab.class, AcmeCommand.Account.class})
public class AcmeCommand {

    @Command(name = "eab", mixinStandardHelpOptions = true, description = "External Account Binding keys.")
    static class Eab {
        @Spec
        CommandSpec spec;

        @Command(
                name = "create",
                mixinStandardHelpOptions = true,
                description = "A key id and HMAC key binding one ACME account to a service and the names it may order.")
        int create(
                @Mixin RemoteOptions remote,
                @Option(names = "--service", required = true) String service,
                @Option(
                                names = "--allow-dns",
                                required = true,
                                split = ",",
                                description =
                                        "Names the account may order; *.domain allows the wildcard and names one label below.")
                        List<String> dns,
                @Option(names = "--profile", description = "Certificate profile (default: pki.acme.default-profile).")
                        String profile) {
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

        @Command(
                name = "revoke",
                mixinStandardHelpOptions = true,
                description =
                        "Revoke a binding key: no account may bind it any more, and the account it bound is revoked.")
        int revoke(@Mixin RemoteOptions remote, @Parameters(paramLabel = "KID") String kid) {
            ApiClient api = remote.client();
            Output.record(
                    spec,
                    remote,
                    api.ok(api.post("/api/v1/acme/eab/" + Output.pathSegment(kid) + "/revoke", Map.of())));
            return 0;
        }
    }

    @Command(name = "account", mixinStandardHelpOptions = true, description = "ACME accounts.")
    static class Account {
        @Spec
        CommandSpec spec;

        @Command(
                name = "revoke",
                mixinStandardHelpOptions = true,
                description =
                        "Revoke an ACME account: every request it signs is refused from then on (its certificates stay valid).")
        int revoke(
                @Mixin RemoteOptions remote,
                @Parameters(paramLabel = "ID", description = "The account id, or its URL (.../acme/acct/ID).")
                        String id) {
            String bare = id.substring(id.lastIndexOf('/') + 1);
            ApiClient api = remote.client();
            Output.record(
                    spec,
                    remote,
                    api.ok(api.post("/api/v1/acme/accounts/" + Output.pathSegment(bare) + "/revoke", Map.of())));
            return 0;
        }
    }
}
