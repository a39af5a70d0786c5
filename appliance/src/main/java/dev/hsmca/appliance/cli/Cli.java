package dev.hsmca.appliance.cli;

import dev.hsmca.appliance.cli.remote.RemoteCli;
import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.PkiException;
import io.micronaut.configuration.picocli.MicronautFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs one command. Local commands (ca init/status, audit verify) get an application context without the HTTP
 * server; remote ones ({@link RemoteCli}: cert, token, service, health, ca check-expiry) talk to the running
 * appliance and need none. Errors: one line, exit 1 (usage errors: 2); a store or HSM that cannot be opened is
 * {@value #EXIT_UNAVAILABLE} with a message that says so, never confused with a finding about the data.
 */
public final class Cli {
    /** The store, the HSM or the anchor file could not be opened: nothing was checked or changed. */
    public static final int EXIT_UNAVAILABLE = 3;

    private Cli() {}

    public static int run(String... args) {
        // the console's own charset, as before, but said so
        return run(
                new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true),
                new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true),
                args);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(Map.of(), out, err, args);
    }

    /** As {@link #run(PrintWriter, PrintWriter, String...)}, with these properties over the configuration. */
    public static int run(Map<String, Object> properties, PrintWriter out, PrintWriter err, String... args) {
        if (RemoteCli.handles(args)) {
            return RemoteCli.run(out, err, args);
        }
        try (ApplicationContext context = ApplicationContext.builder(Cli.class, Environment.CLI)
                .properties(properties)
                .start()) {
            return run(context, out, err, args);
        } catch (RuntimeException e) {
            return failed(err, e);
        }
    }

    public static int run(ApplicationContext context, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = new CommandLine(ApplianceCommand.class, new MicronautFactory(context));
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> failed(line.getErr(), e));
        return cmd.execute(args);
    }

    /** One line; an unavailable store or HSM says so and exits {@value #EXIT_UNAVAILABLE}, anything else 1. */
    static int failed(PrintWriter err, Throwable e) {
        PkiException p = Failures.classify(e);
        if (p.kind() != PkiException.Kind.UNAVAILABLE) {
            err.println("error: " + describe(e));
            return 1;
        }
        String what = thrown(e, p)
                ? p.getMessage()
                : switch (p.code()) {
                    case Failures.STORE_UNAVAILABLE -> "cannot open the store (datasources.default.*): " + describe(e);
                    case Failures.HSM_UNAVAILABLE -> "cannot open the HSM (pki.hsm.*): " + describe(e);
                    default -> describe(e);
                };
        err.println("error: " + what + " (nothing was checked or changed)");
        return EXIT_UNAVAILABLE;
    }

    /** Whether {@code p} was thrown as such (its message is written for this), not made up by the classification. */
    private static boolean thrown(Throwable e, PkiException p) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == p) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message worth showing; never a stack trace. */
    static String describe(Throwable e) {
        Throwable t = e;
        String message = null;
        while (t != null) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
                if (t.getClass().getName().startsWith("dev.hsmca")) {
                    return message;
                }
            }
            t = t.getCause();
        }
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline > 0 ? message.substring(0, newline) : message;
    }
}
