package dev.hsmca.appliance.cli;

import io.micronaut.configuration.picocli.MicronautFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import dev.hsmca.appliance.cli.remote.RemoteCli;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Runs one command. Local commands (ca init/status, audit verify) get an application context without the HTTP
 * server; remote ones ({@link RemoteCli}: cert, token, service, health, ca check-expiry) talk to the running
 * appliance and need none. Errors: one line, exit 1 (usage errors: 2).
 */
public final class Cli {
    private Cli() {
    }

    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        if (RemoteCli.handles(args)) {
            return RemoteCli.run(out, err, args);
        }
        try (ApplicationContext context = ApplicationContext.builder(Cli.class, Environment.CLI).start()) {
            return run(context, out, err, args);
        } catch (RuntimeException e) {
            err.println("error: " + describe(e));
            return 1;
        }
    }

    public static int run(ApplicationContext context, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = new CommandLine(ApplianceCommand.class, new MicronautFactory(context));
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("error: " + describe(e));
            return 1;
        });
        return cmd.execute(args);
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
