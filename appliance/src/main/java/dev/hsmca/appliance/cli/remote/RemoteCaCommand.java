package dev.hsmca.appliance.cli.remote;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ca", mixinStandardHelpOptions = true, description = "CA checks against the running appliance.")
public class RemoteCaCommand {
    @Spec
    CommandSpec spec;

    @Command(
            name = "check-expiry",
            mixinStandardHelpOptions = true,
            description = "Exit 1 when any CA or valid issued certificate expires within --alert-days (for cron).")
    int checkExpiry(
            @Mixin RemoteOptions remote,
            @Option(
                            names = "--alert-days",
                            defaultValue = "30",
                            paramLabel = "N",
                            description = "Days ahead to look (default: ${DEFAULT-VALUE}).")
                    int days) {
        if (days < 0) {
            throw new ApiClient.CliError("--alert-days must be 0 or more");
        }
        ApiClient api = remote.client();
        List<Map<String, Object>> expiring = new ArrayList<>();
        for (Map<String, Object> c : Output.list(api.ok(api.get("/api/v1/ca/certificates")), "certificates")) {
            if (((Number) c.get("days_until_expiry")).longValue() < days) {
                expiring.add(row("ca:" + c.get("role"), c));
            }
        }
        String cursor = null;
        do {
            Map<String, Object> page = api.ok(api.get("/api/v1/certificates?status=valid&limit=500"
                    + ApiClient.query("expiring_within_days", days) + ApiClient.query("cursor", cursor)));
            for (Map<String, Object> c : Output.list(page, "certificates")) {
                expiring.add(row("certificate", c));
            }
            cursor = (String) page.get("next_cursor");
        } while (cursor != null);
        if (remote.json) {
            Output.json(spec, Map.of("alert_days", days, "expiring", expiring));
        } else if (expiring.isEmpty()) {
            spec.commandLine().getOut().println("OK: nothing expires within " + days + " days");
        } else {
            Table t = new Table("KIND", "SERIAL", "NOT AFTER", "DAYS", "SUBJECT");
            expiring.forEach(r -> t.row(
                    r.get("kind"), r.get("serial"), r.get("not_after"), r.get("days_until_expiry"), r.get("subject")));
            t.print(spec.commandLine().getOut());
        }
        spec.commandLine().getOut().flush();
        return expiring.isEmpty() ? 0 : 1;
    }

    @Command(
            name = "create-server-cert",
            mixinStandardHelpOptions = true,
            description = "Issue a certificate from a CSR (the integration notes' name for 'cert issue').")
    int createServerCert(@Mixin RemoteOptions remote, @Mixin CertCommand.IssueOptions issue) {
        return CertCommand.issue(spec, remote, issue);
    }

    private static Map<String, Object> row(String kind, Map<String, Object> c) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("kind", kind);
        row.put("serial", c.get("serial"));
        row.put("subject", c.get("subject"));
        row.put("not_after", c.get("not_after"));
        row.put("days_until_expiry", c.get("days_until_expiry"));
        return row;
    }
}
