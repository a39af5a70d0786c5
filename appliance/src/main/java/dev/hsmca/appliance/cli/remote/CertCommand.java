package dev.hsmca.appliance.cli.remote;

import dev.hsmca.client.CaHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cert", mixinStandardHelpOptions = true, description = "Issued certificates.")
public class CertCommand {
    private static final Pattern SERIAL = Pattern.compile("^[0-9a-fA-F]{1,40}$");
    private static final Pattern SERVICE = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

    @Spec
    CommandSpec spec;

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List certificates, soonest expiry first.")
    int list(
            @Mixin RemoteOptions remote,
            @Option(
                            names = "--expiring-within",
                            paramLabel = "DAYS",
                            description = "Only valid ones expiring within DAYS.")
                    Integer days,
            @Option(names = "--status", description = "valid, revoked, expired or any.") String status,
            @Option(names = "--service", description = "Only this service's certificates.") String service) {
        ApiClient api = remote.client();
        List<Map<String, Object>> all = certificates(
                api,
                ApiClient.query("expiring_within_days", days)
                        + ApiClient.query("status", status != null ? status : days != null ? "valid" : null)
                        + ApiClient.query("service", service));
        if (remote.json) {
            Output.json(spec, Map.of("certificates", all));
            return 0;
        }
        Table t = new Table("SERIAL", "STATUS", "PROFILE", "SERVICE", "NOT AFTER", "DAYS", "SUBJECT");
        all.forEach(c -> t.row(
                c.get("serial"),
                c.get("status"),
                c.get("profile"),
                c.get("service"),
                c.get("not_after"),
                c.get("days_until_expiry"),
                c.get("subject")));
        t.print(spec.commandLine().getOut());
        return 0;
    }

    @Command(
            name = "info",
            mixinStandardHelpOptions = true,
            description = "Show one certificate: by serial, or a service's current certificate by service id.")
    int info(@Mixin RemoteOptions remote, @Parameters(paramLabel = "SERIAL|SERVICE") String which) {
        ApiClient api = remote.client();
        CaHttp.Answer bySerial = null;
        if (SERIAL.matcher(which).matches() || !SERVICE.matcher(which).matches()) {
            bySerial = api.get("/api/v1/certificates/" + Output.pathSegment(which));
            if (bySerial.status() != 404 || !SERVICE.matcher(which).matches()) {
                Output.record(spec, remote, api.ok(bySerial));
                return 0;
            }
        }
        Map<String, Object> c = currentOf(api, which, bySerial);
        Output.record(spec, remote, c);
        return 0;
    }

    /**
     * A service's current certificate: the registry's view when the service registered, else (certificates an admin
     * issued for it) the valid one that expires last.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> currentOf(ApiClient api, String service, CaHttp.Answer bySerial) {
        CaHttp.Answer registered = api.get("/api/v1/services/" + Output.pathSegment(service));
        if (registered.status() != 404) {
            if (api.ok(registered).get("current_certificate") instanceof Map<?, ?> current) {
                return (Map<String, Object>) current;
            }
            throw new ApiClient.CliError("service " + service + " has no valid certificate");
        }
        List<Map<String, Object>> valid =
                certificates(api, ApiClient.query("status", "valid") + ApiClient.query("service", service));
        if (!valid.isEmpty()) {
            return valid.get(valid.size() - 1);
        }
        if (bySerial != null) {
            api.ok(bySerial); // neither a certificate nor a service: the first question's 404 says so
        }
        throw new ApiClient.CliError("no service " + service + " and no valid certificate for it");
    }

    /** Every page of {@code GET /api/v1/certificates} with these query parameters, in the API's order. */
    private static List<Map<String, Object>> certificates(ApiClient api, String query) {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> page =
                    api.ok(api.get("/api/v1/certificates?limit=500" + query + ApiClient.query("cursor", cursor)));
            all.addAll(Output.list(page, "certificates"));
            cursor = (String) page.get("next_cursor");
        } while (cursor != null);
        return all;
    }

    /** What {@code cert issue} and {@code ca create-server-cert} take. */
    public static class IssueOptions {
        @Option(names = "--csr", required = true, paramLabel = "FILE", description = "PKCS#10 request (PEM).")
        Path csr;

        @Option(names = "--profile", defaultValue = "tls-server", description = "Profile (default: ${DEFAULT-VALUE}).")
        String profile;

        @Option(names = "--validity", description = "Lifetime such as 90d, 24h (default: 90 days).")
        String validity;

        @Option(names = "--service", description = "The service the certificate belongs to.")
        String service;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "Folder for cert.pem, chain.pem and fullchain.pem.")
        Path out;
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, description = "Issue a certificate from a CSR (admin).")
    int issue(@Mixin RemoteOptions remote, @Mixin IssueOptions issue) {
        return issue(spec, remote, issue);
    }

    static int issue(CommandSpec spec, RemoteOptions remote, IssueOptions o) {
        String csr;
        try {
            csr = Files.readString(o.csr);
        } catch (IOException e) {
            throw new ApiClient.CliError("cannot read " + o.csr + ": " + e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("csr", csr);
        body.put("profile", o.profile);
        if (o.validity != null) {
            body.put("validity", o.validity);
        }
        if (o.service != null) {
            body.put("service", o.service);
        }
        ApiClient api = remote.client();
        Map<String, Object> issued = api.ok(api.post("/api/v1/certificates", body));
        String cert = (String) issued.get("certificate_pem");
        String chain = (String) issued.get("chain_pem");
        try {
            Files.createDirectories(o.out);
            Files.writeString(o.out.resolve("cert.pem"), cert);
            Files.writeString(o.out.resolve("chain.pem"), chain);
            Files.writeString(o.out.resolve("fullchain.pem"), cert + chain);
        } catch (IOException e) {
            throw new ApiClient.CliError(
                    "issued " + issued.get("serial") + " but cannot write to " + o.out + ": " + e.getMessage());
        }
        if (remote.json) {
            Output.json(spec, issued);
        } else {
            spec.commandLine()
                    .getOut()
                    .printf(
                            "issued %s, valid to %s: %s%n",
                            issued.get("serial"), issued.get("not_after"), o.out.resolve("cert.pem"));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a certificate.")
    int revoke(
            @Mixin RemoteOptions remote,
            @Parameters(paramLabel = "SERIAL") String serial,
            @Option(
                            names = "--reason",
                            required = true,
                            description = "unspecified, keyCompromise, affiliationChanged, "
                                    + "superseded, cessationOfOperation, certificateHold, removeFromCRL")
                    String reason) {
        ApiClient api = remote.client();
        Map<String, Object> c = api.ok(
                api.post("/api/v1/certificates/" + Output.pathSegment(serial) + "/revoke", Map.of("reason", reason)));
        Output.record(spec, remote, c);
        return 0;
    }

    @Command(
            name = "renew-early",
            mixinStandardHelpOptions = true,
            description = "Move the renewal window to now: agents and ACME clients renew at their next check.")
    int renewEarly(
            @Mixin RemoteOptions remote,
            @Option(names = "--serial", description = "One certificate.") String serial,
            @Option(names = "--service", description = "Every valid certificate of this service.") String service,
            @Option(names = "--all", description = "Every valid certificate of the issuing CA.") boolean all) {
        if ((serial != null ? 1 : 0) + (service != null ? 1 : 0) + (all ? 1 : 0) != 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "give exactly one of --serial, --service, --all");
        }
        Map<String, Object> body = new LinkedHashMap<>();
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
            spec.commandLine()
                    .getOut()
                    .printf(
                            "renewal window moved to %s for %s certificate(s)%n",
                            r.get("renew_after"), r.get("certificates"));
        }
        return 0;
    }
}
