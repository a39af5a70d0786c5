package dev.hsmca.client.agent;

import dev.hsmca.client.Credentials;
import dev.hsmca.client.PkiClient;
import dev.hsmca.client.PkiClientException;
import dev.hsmca.client.RenewalListener;
import dev.hsmca.client.RenewalPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pki-agent renew}: renew when due, or keep renewing as a daemon and reload the service. */
@Command(
        name = "renew",
        mixinStandardHelpOptions = true,
        description = "Renew when due (or now with --force); with --daemon keep renewing until stopped.")
final class Renew implements Callable<Integer> {
    /** The environment names that hold a credential itself. */
    static final List<String> SECRETS = List.of("PKI_ENROLL_KEY", "PKI_INSTALL_TOKEN");

    @CommandLine.Mixin
    PkiAgent.Connection connection;

    @Option(names = "--daemon", description = "Keep running: poll the CA's renewal window, renew when due.")
    boolean daemon;

    @Option(names = "--force", description = "Renew now, whatever the policy says.")
    boolean force;

    @Option(
            names = "--exec",
            paramLabel = "CMD",
            description = "Run after each renewal (sh -c), e.g. \"systemctl reload nginx\".")
    String exec;

    @Option(
            names = "--signal",
            paramLabel = "SIG",
            description = "Send this signal after each renewal (with --pid or --pid-file).")
    String signal;

    @Option(names = "--pid", description = "The process to signal.")
    Long pid;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "A file holding the process id to signal.")
    Path pidFile;

    @Option(
            names = "--renew-at",
            paramLabel = "FRACTION",
            description = "Renew when this fraction of the lifetime has passed (default 0.667).")
    Double fraction;

    @Option(
            names = "--renew-before",
            paramLabel = "DURATION",
            description = "Renew this long before expiry instead (e.g. 10m, 7d).")
    String before;

    @Option(
            names = "--poll",
            paramLabel = "DURATION",
            description = "How often to ask the CA for its window (default 5m).")
    String poll;

    @Option(
            names = "--backoff-cap",
            paramLabel = "DURATION",
            description = "Longest wait between retries (default 5m).")
    String backoffCap;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (signal != null && pid == null && pidFile == null) {
            throw PkiAgent.usage("--signal needs --pid or --pid-file");
        }
        RenewalPolicy policy = RenewalPolicy.defaults();
        if (fraction != null) {
            policy = policy.withFraction(fraction);
        }
        if (before != null) {
            policy = policy.withBefore(PkiAgent.duration(before));
        }
        if (poll != null) {
            policy = policy.withPollInterval(PkiAgent.duration(poll));
        }
        if (backoffCap != null) {
            Duration cap = PkiAgent.duration(backoffCap);
            policy = policy.withBackoff(cap.compareTo(policy.backoffBase()) < 0 ? cap : policy.backoffBase(), cap);
        }
        PkiClient pki = connection.builder().renewalPolicy(policy).build();
        if (pki.credentials() == null) {
            pki.close();
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID,
                    "not_enrolled",
                    "no certificate in " + connection.out() + ": run 'pki-agent enroll' first");
        }
        if (!daemon) {
            try (pki) {
                Credentials c = pki.credentials();
                if (!force && Instant.now().isBefore(pki.policy().due(c))) {
                    spec.commandLine()
                            .getOut()
                            .printf(
                                    "not due: %s renews after %s%n",
                                    c.serial(), pki.policy().due(c));
                    return 0;
                }
                Credentials n = pki.renew();
                spec.commandLine().getOut().printf("renewed: serial %s, valid until %s%n", n.serial(), n.notAfter());
                afterRenewal();
                return 0;
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        pki.addListener(new RenewalListener() {
            @Override
            public void renewed(Credentials now, Credentials was) {
                spec.commandLine()
                        .getOut()
                        .printf("renewed: serial %s, valid until %s%n", now.serial(), now.notAfter());
                spec.commandLine().getOut().flush();
                try {
                    afterRenewal();
                } catch (Exception e) {
                    spec.commandLine().getErr().println("pki-agent: after renewal: " + e.getMessage());
                }
            }

            @Override
            public void revoked(Credentials current) {
                spec.commandLine()
                        .getErr()
                        .println("pki-agent: certificate " + current.serial()
                                + " is revoked; enroll again with a new install token");
                stopped.countDown();
            }

            @Override
            public void failed(PkiClientException error, Credentials current) {
                if (error.kind() == PkiClientException.Kind.EXPIRED) {
                    spec.commandLine().getErr().println("pki-agent: " + error.getMessage());
                    stopped.countDown();
                }
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            pki.close();
            stopped.countDown();
        }));
        pki.startAutoRenewal();
        spec.commandLine()
                .getOut()
                .printf(
                        "watching %s (serial %s, renews after %s)%n",
                        connection.out(),
                        pki.credentials().serial(),
                        pki.policy().due(pki.credentials()));
        spec.commandLine().getOut().flush();
        stopped.await();
        pki.close();
        return pki.credentials() != null && pki.autoRenewing() ? 0 : 1;
    }

    /**
     * A command run after a renewal, in the agent's environment less the enrollment secrets: a reload hook needs
     * neither, and would otherwise hand them to every process it starts (the {@code _FILE} names only say where a
     * secret is, which the file's mode protects).
     */
    static ProcessBuilder hook(Map<String, String> environment, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().clear();
        pb.environment().putAll(environment);
        SECRETS.forEach(pb.environment()::remove);
        return pb;
    }

    private void afterRenewal() throws IOException, InterruptedException {
        if (exec != null) {
            Process p = hook(System.getenv(), "sh", "-c", exec).start();
            int code = p.waitFor();
            if (code != 0) {
                throw new IOException("'" + exec + "' exited with " + code);
            }
        }
        if (signal != null) {
            long target =
                    pid != null ? pid : Long.parseLong(Files.readString(pidFile).trim());
            Process p = hook(System.getenv(), "kill", "-" + signal, Long.toString(target))
                    .start();
            if (p.waitFor() != 0) {
                throw new IOException("cannot send SIG" + signal + " to " + target);
            }
        }
    }
}
