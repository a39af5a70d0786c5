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
        name = "enroll-key",
        mixinStandardHelpOptions = true,
        description = "Reusable enrollment keys: one per service, deployed as a secret.")
public class EnrollKeyCommand {
    @Spec
    CommandSpec spec;

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create an enrollment key; it is printed once and cannot be shown again.")
    int create(
            @Mixin RemoteOptions remote,
            @Option(names = "--service", required = true) String service,
            @Option(
                            names = "--dns",
                            split = ",",
                            description = "Allowed DNS names, exact or *.domain for one label below "
                                    + "(repeat or comma-separate).")
                    List<String> dns,
            @Option(names = "--ip", split = ",", description = "Allowed IP addresses.") List<String> ips,
            @Option(names = "--profile", description = "The profile (default tls-server).") String profile,
            @Option(names = "--max-uses", description = "Certificates it may get in all (default: no limit).")
                    Integer maxUses,
            @Option(names = "--per-hour", description = "Certificates it may get an hour (default: no limit).")
                    Integer perHour,
            @Option(
                            names = "--expires",
                            paramLabel = "DURATION",
                            description = "When it expires, from now: 30d, 12h (default 30d, at most 366d).")
                    String expires,
            @Option(
                            names = "--max-validity",
                            paramLabel = "DURATION",
                            description = "The longest certificate lifetime it allows, e.g. 7d "
                                    + "(default: the profile's maximum).")
                    String maxValidity,
            @Option(names = "--label", description = "A note for the list (where it is deployed).") String label) {
        ApiClient api = remote.client();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", service);
        body.put("allowed_dns", dns == null ? List.of() : dns);
        body.put("allowed_ips", ips == null ? List.of() : ips);
        putIf(body, "profile", profile);
        putIf(body, "max_uses", maxUses);
        putIf(body, "per_hour", perHour);
        putIf(body, "expires", expires);
        putIf(body, "max_validity", maxValidity);
        putIf(body, "label", label);
        Map<String, Object> created = api.ok(api.post("/api/v1/enroll-keys", body));
        if (remote.json) {
            Output.json(spec, created);
        } else {
            var out = spec.commandLine().getOut();
            out.println(created.get("key"));
            out.println("id " + created.get("id") + ", service " + created.get("service") + ", expires "
                    + created.get("expires_at") + " (shown once: store it now, e.g. as the secret PKI_ENROLL_KEY)");
            out.flush();
        }
        return 0;
    }

    private static void putIf(Map<String, Object> body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List enrollment keys (never their secrets).")
    int list(
            @Mixin RemoteOptions remote,
            @Option(names = "--service") String service,
            @Option(names = "--state", description = "active, exhausted, expired or revoked.") String state) {
        ApiClient api = remote.client();
        Map<String, Object> page = api.ok(api.get(
                "/api/v1/enroll-keys?x=1" + ApiClient.query("service", service) + ApiClient.query("state", state)));
        if (remote.json) {
            Output.json(spec, page);
            return 0;
        }
        Table t = new Table("ID", "SERVICE", "STATE", "PROFILE", "USES", "EXPIRES", "NAMES");
        Output.list(page, "enroll_keys")
                .forEach(k -> t.row(
                        k.get("id"),
                        k.get("service"),
                        k.get("state"),
                        k.get("profile"),
                        k.get("uses") + (k.get("max_uses") == null ? "" : "/" + k.get("max_uses")),
                        k.get("expires_at"),
                        k.get("allowed_dns") + " " + k.get("allowed_ips")));
        t.print(spec.commandLine().getOut());
        return 0;
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Revoke an enrollment key: no certificate is issued with it again.")
    int revoke(@Mixin RemoteOptions remote, @Parameters(paramLabel = "ID") String id) {
        ApiClient api = remote.client();
        Map<String, Object> r = api.ok(api.post("/api/v1/enroll-keys/" + Output.pathSegment(id) + "/revoke", Map.of()));
        Output.record(spec, remote, r);
        return 0;
    }
}
