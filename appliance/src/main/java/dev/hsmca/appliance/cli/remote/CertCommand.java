package dev.hsmca.appliance.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "cert", mixinStandardHelpOptions = true, description = "Issued certificates.")
public class CertCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List certificates, soonest expiry first.")
    int list(@Mixin RemoteOptions remote,
             @Option(names = "--expiring-within", paramLabel = "DAYS", description = "Only valid ones expiring within DAYS.") Integer days,
             @Option(names = "--status", description = "valid, revoked, expired or any.") String status,
             @Option(names = "--service", description = "Only this service's certificates.") String service) {
        ApiClient api = remote.client();
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        do {
            String path = "/api/v1/certificates?limit=500" + ApiClient.query("expiring_within_days", days)
                    + ApiClient.query("status", status != null ? status : days != null ? "valid" : null)
                    + ApiClient.query("service", service) + ApiClient.query("cursor", cursor);
            Map<String, Object> page = api.ok(api.get(path));
            all.addAll(Output.list(page, "certificates"));
            cursor = (String) page.get("next_cursor");
        } while (cursor != null);
        if (remote.json) {
            Output.json(spec, Map.of("certificates", all));
            return 0;
        }
        Table t = new Table("SERIAL", "STATUS", "PROFILE", "SERVICE", "NOT AFTER", "DAYS", "SUBJECT");
        all.forEach(c -> t.row(c.get("serial"), c.get("status"), c.get("profile"), c.get("service"), c.get("not_after"),
                c.get("days_until_expiry"), c.get("subject")));
        t.print(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show one certificate.")
    int info(@Mixin RemoteOptions remote, @Parameters(paramLabel = "SERIAL") String serial) {
        ApiClient api = remote.client();
        Map<String, Object> c = api.ok(api.get("/api/v1/certificates/" + Output.pathSegment(serial)));
        Output.record(spec, remote, c);
        return 0;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a certificate.")
    int revoke(@Mixin RemoteOptions remote, @Parameters(paramLabel = "SERIAL") String serial,
               @Option(names = "--reason", required = true, description = "unspecified, keyCompromise, affiliationChanged, "
                       + "superseded, cessationOfOperation, certificateHold, removeFromCRL") String reason) {
        ApiClient api = remote.client();
        Map<String, Object> c = api.ok(api.post("/api/v1/certificates/" + Output.pathSegment(serial) + "/revoke",
                Map.of("reason", reason)));
        Output.record(spec, remote, c);
        return 0;
    }

    @Command(name = "renew-early", mixinStandardHelpOptions = true,
            description = "Move the renewal window to now: agents and ACME clients renew at their next check.")
    int renewEarly(@Mixin RemoteOptions remote,
                   @Option(names = "--serial", description = "One certificate.") String serial,
                   @Option(names = "--service", description = "Every valid certificate of this service.") String service,
                   @Option(names = "--all", description = "Every valid certificate of the issuing CA.") boolean all) {
        if ((serial != null ? 1 : 0) + (service != null ? 1 : 0) + (all ? 1 : 0) != 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give exactly one of --serial, --service, --all");
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        if (serial != null) {
            body.put("serial", serial);
        }
        if (service != null) {
            body.put("service", service);
        }
        if (all) {
            body.put("all", true);
        }
        ApiClient api = remote.client();
        Map<String, Object> r = api.ok(api.post("/api/v1/certificates/renew-early", body));
        if (remote.json) {
            Output.json(spec, r);
        } else {
            spec.commandLine().getOut().printf("renewal window moved to %s for %s certificate(s)%n", r.get("renew_after"),
                    r.get("certificates"));
        }
        return 0;
    }
}
