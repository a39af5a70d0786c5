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

@Command(name = "token", mixinStandardHelpOptions = true, description = "One-time install tokens.")
public class TokenCommand {
    @Spec
    CommandSpec spec;

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create an install token; it is printed once and cannot be shown again.")
    int create(
            @Mixin RemoteOptions remote,
            @Option(names = "--service", required = true) String service,
            @Option(names = "--dns", split = ",", description = "Allowed DNS names (repeat or comma-separate).")
                    List<String> dns,
            @Option(names = "--ip", split = ",", description = "Allowed IP addresses.") List<String> ips,
            @Option(
                            names = "--cn",
                            split = ",",
                            description = "Allowed client names for the subject CN "
                                    + "(a name that is not a host name, such as agent-foo).")
                    List<String> cns,
            @Option(names = "--uri", split = ",", description = "Allowed URI names (SPIFFE IDs).") List<String> uris,
            @Option(names = "--profile", defaultValue = "tls-server-client") String profile,
            @Option(names = "--ttl", defaultValue = "3600", paramLabel = "SECONDS") long ttl,
            @Option(names = "--max-validity-days") Integer maxDays) {
        ApiClient api = remote.client();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", service);
        body.put("allowed_dns", dns == null ? List.of() : dns);
        body.put("allowed_ips", ips == null ? List.of() : ips);
        body.put("allowed_cn", cns == null ? List.of() : cns);
        body.put("allowed_uris", uris == null ? List.of() : uris);
        body.put("profile", profile);
        body.put("ttl_seconds", ttl);
        if (maxDays != null) {
            body.put("max_validity_days", maxDays);
        }
        Map<String, Object> created = api.ok(api.post("/api/v1/install-tokens", body));
        if (remote.json) {
            Output.json(spec, created);
        } else {
            var out = spec.commandLine().getOut();
            out.println(created.get("token"));
            out.println("id " + created.get("id") + ", service " + created.get("service") + ", expires "
                    + created.get("expires_at") + " (shown once: store it now)");
            out.flush();
        }
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List install tokens (never their secrets).")
    int list(
            @Mixin RemoteOptions remote,
            @Option(names = "--service") String service,
            @Option(names = "--state", description = "unused, used, expired or revoked.") String state) {
        ApiClient api = remote.client();
        Map<String, Object> page = api.ok(api.get(
                "/api/v1/install-tokens?x=1" + ApiClient.query("service", service) + ApiClient.query("state", state)));
        if (remote.json) {
            Output.json(spec, page);
            return 0;
        }
        Table t = new Table("ID", "SERVICE", "STATE", "PROFILE", "EXPIRES", "NAMES");
        Output.list(page, "tokens")
                .forEach(k -> t.row(
                        k.get("id"),
                        k.get("service"),
                        k.get("state"),
                        k.get("profile"),
                        k.get("expires_at"),
                        k.get("allowed_dns") + " " + k.get("allowed_ips")));
        t.print(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an unused install token.")
    int revoke(@Mixin RemoteOptions remote, @Parameters(paramLabel = "ID") String id) {
        ApiClient api = remote.client();
        Map<String, Object> r = api.ok(api.delete("/api/v1/install-tokens/" + Output.pathSegment(id)));
        Output.record(spec, remote, r);
        return 0;
    }
}
