package dev.hsmca.client.agent;

import dev.hsmca.client.Credentials;
import dev.hsmca.client.FileStore;
import dev.hsmca.client.KeyType;
import dev.hsmca.client.PkiClient;
import dev.hsmca.client.PkiClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pki-agent}: enroll once with an install token, then keep the files renewed and the service reloaded.
 * Exit codes: 0 ok, 1 an error (one line saying why), 2 a usage error.
 */
@Command(
        name = "pki-agent",
        mixinStandardHelpOptions = true,
        version = "pki-agent 0.1.0",
        description = "Enrolls a service with the HSM CA appliance and keeps its certificate renewed.",
        subcommands = {PkiAgent.Enroll.class, Renew.class, PkiAgent.Info.class, PkiAgent.Register.class})
public final class PkiAgent implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** As {@link #run(String...)}, printing to these writers (to embed the agent, or test it). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = commandLine();
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    private static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new PkiAgent());
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr()
                    .println("pki-agent: "
                            + (e instanceof PkiClientException || e.getMessage() != null
                                    ? e.getMessage()
                                    : e.toString()));
            return 1;
        });
        return cmd;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the CA is and what to trust: flags, then the environment, then what enrollment recorded in the folder. */
    static class Connection {
        @Option(
                names = "--ca-url",
                paramLabel = "URL",
                description = "The CA, https://host:8443 (env PKI_URL or PKI_SERVER_URL).")
        String caUrl;

        @Option(names = "--root", paramLabel = "FILE", description = "The CA's root certificate, PEM (env PKI_ROOT).")
        Path root;

        @Option(names = "--out", paramLabel = "DIR", description = "The store folder (env PKI_OUT).")
        Path out;

        Path out() {
            Path p = out != null ? out : env("PKI_OUT") != null ? Path.of(env("PKI_OUT")) : null;
            if (p == null) {
                throw usage("--out (or PKI_OUT) is required");
            }
            return p;
        }

        PkiClient.Builder builder() {
            Path dir = out();
            Properties recorded = PkiClient.enrollment(dir);
            String url = first(caUrl, env("PKI_URL"), env("PKI_SERVER_URL"), recorded.getProperty("ca_url"));
            Path rootFile = root != null
                    ? root
                    : env("PKI_ROOT") != null
                            ? Path.of(env("PKI_ROOT"))
                            : Files.exists(dir.resolve("root.pem")) ? dir.resolve("root.pem") : null;
            if (url == null) {
                throw usage("--ca-url (or PKI_URL) is required");
            }
            if (rootFile == null) {
                throw usage("--root (or PKI_ROOT) is required");
            }
            return PkiClient.builder().caUrl(url).root(rootFile).store(dir);
        }
    }

    @Command(
            name = "enroll",
            mixinStandardHelpOptions = true,
            description =
                    "Make a key here, send a CSR with an install token or an enrollment key, store the certificate.")
    static class Enroll implements Callable<Integer> {
        @CommandLine.Mixin
        Connection connection;

        @Option(
                names = "--token-file",
                paramLabel = "FILE",
                description = "The install token, in a file (env PKI_INSTALL_TOKEN_FILE).")
        Path tokenFile;

        @Option(
                names = "--enroll-key-file",
                paramLabel = "FILE",
                description = "A reusable enrollment key (hek_...), in a file (env PKI_ENROLL_KEY_FILE, or the key "
                        + "itself in PKI_ENROLL_KEY): a container that starts fresh enrolls on its own.")
        Path enrollKeyFile;

        @Option(
                names = "--jwt-file",
                paramLabel = "FILE",
                description = "A workload token (a JWT of an issuer the CA trusts for workloads, such as a Kubernetes "
                        + "projected service-account token), read when used (env PKI_JWT_FILE): the CA makes the "
                        + "names from its subject.")
        Path jwtFile;

        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME",
                description = "A DNS name or IP address; the first is the CN. Repeatable.")
        List<String> names;

        @Option(names = "--profile", description = "Certificate profile (default: the token's).")
        String profile;

        @Option(names = "--validity", description = "Lifetime such as 5m, 24h, 90d (asked again at each renewal).")
        String validity;

        @Option(names = "--key-type", defaultValue = "ec-p256", description = "ec-p256 (default), rsa-2048, rsa-3072.")
        String keyType;

        @Option(names = "--force", description = "Enroll even if the folder holds a valid certificate.")
        boolean force;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            String token = token();
            try (PkiClient pki =
                    connection.builder().keyType(KeyType.parse(keyType)).build()) {
                Credentials existing = pki.credentials();
                if (!force && existing != null && !existing.expiredAt(Instant.now())) {
                    spec.commandLine()
                            .getOut()
                            .printf(
                                    "already enrolled: %s valid until %s (--force to enroll again)%n",
                                    existing.serial(), existing.notAfter());
                    return 0;
                }
                Credentials c = pki.enroll(token, profile, validity, names.toArray(String[]::new));
                spec.commandLine()
                        .getOut()
                        .printf(
                                "enrolled: serial %s, valid until %s, files in %s%n",
                                c.serial(), c.notAfter(), pki.store().dir());
                return 0;
            }
        }

        private String token() {
            return EnrollCredential.of(tokenFile, enrollKeyFile, jwtFile, PkiAgent::env);
        }
    }

    @Command(
            name = "info",
            mixinStandardHelpOptions = true,
            description = "Show the certificate in the folder and when it renews.")
    static class Info implements Callable<Integer> {
        @CommandLine.Mixin
        Connection connection;

        @Option(names = "--json", description = "JSON output.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (new FileStore(connection.out()).load().isEmpty()) {
                throw new PkiClientException(
                        PkiClientException.Kind.INVALID,
                        "not_enrolled",
                        "no certificate in " + connection.out() + ": run 'pki-agent enroll' first");
            }
            try (PkiClient pki = connection.builder().build()) {
                Credentials c = pki.credentials();
                if (c == null) {
                    throw new PkiClientException(
                            PkiClientException.Kind.INVALID,
                            "not_enrolled",
                            "no certificate in " + connection.out() + ": run 'pki-agent enroll' first");
                }
                Instant now = Instant.now();
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("serial", c.serial());
                info.put("subject", c.certificate().getSubjectX500Principal().getName());
                info.put("not_before", c.notBefore().toString());
                info.put("not_after", c.notAfter().toString());
                info.put(
                        "days_until_expiry", Duration.between(now, c.notAfter()).toDays());
                info.put(
                        "seconds_until_expiry",
                        Math.max(0, Duration.between(now, c.notAfter()).toSeconds()));
                info.put("renew_after", pki.policy().due(c).toString());
                String status = c.expiredAt(now) ? "expired" : "valid";
                try {
                    var s = pki.status(null);
                    if (s.isPresent()) {
                        info.put("ca_renew_after", String.valueOf(s.get().renewAfter()));
                        info.put("ca_renew_before", String.valueOf(s.get().renewBefore()));
                        info.put("renew_now", s.get().renewNow());
                        info.put(
                                "renew_after",
                                pki.policy()
                                        .due(c, s.get().renewAfter(), s.get().renewBefore())
                                        .toString());
                    }
                } catch (PkiClientException e) {
                    if (e.kind() == PkiClientException.Kind.REVOKED) {
                        status = "revoked";
                    } else {
                        info.put("ca", "unreachable: " + e.getMessage());
                    }
                }
                info.put("status", status);
                info.put("files", pki.store().dir().toString());
                if (json) {
                    spec.commandLine().getOut().println(toJson(info));
                } else {
                    info.forEach((k, v) -> spec.commandLine().getOut().printf("%-20s %s%n", k, v));
                }
                return "revoked".equals(status) || "expired".equals(status) ? 1 : 0;
            }
        }
    }

    @Command(
            name = "register",
            mixinStandardHelpOptions = true,
            description = "Register this service in the CA's registry (mTLS).")
    static class Register implements Callable<Integer> {
        @CommandLine.Mixin
        Connection connection;

        @Option(names = "--service", required = true, description = "The service id (the certificate's service).")
        String service;

        @Option(names = "--display-name")
        String displayName;

        @Option(names = "--endpoint", description = "An https URL where it serves. Repeatable.")
        List<String> endpoints = new ArrayList<>();

        @Option(names = "--health-check-url")
        String health;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try (PkiClient pki = connection.builder().build()) {
                Map<String, Object> r = pki.register(service, displayName, endpoints, health, Map.of());
                spec.commandLine().getOut().println("registered: " + r.get("service"));
                return 0;
            }
        }
    }

    static Duration duration(String text) {
        try {
            String t = text.trim().toLowerCase(Locale.ROOT);
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw usage("'" + text + "' is not a duration such as 30s, 10m, 24h, 7d");
        }
    }

    static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }

    static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    static CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(new CommandLine(new PkiAgent()), message);
    }

    static String toJson(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(k).append("\":");
            if (v instanceof Number || v instanceof Boolean) {
                b.append(v);
            } else {
                b.append('"')
                        .append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
            }
        });
        return b.append('}').toString();
    }
}
