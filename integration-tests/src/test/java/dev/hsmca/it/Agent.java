package dev.hsmca.it;

import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The pki-agent command as a user runs it: bin/pki-agent, a process of its own. */
final class Agent {
    static final Path REPO =
            Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();

    private Agent() {}

    /** Each command is a short-lived JVM: a fast start (bin/pki-agent passes these on). */
    static final Map<String, String> ENV = Map.of("PKI_AGENT_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("bin/pki-agent").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs to completion: exit code and output (stdout and stderr). */
    static Shell.Result run(Map<String, String> env, String... args) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
            pb.environment().putAll(ENV);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(
                    p.getInputStream().readAllBytes(), Charset.defaultCharset()); // the tool's own encoding, as before
            p.waitFor();
            return new Shell.Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Shell.Result run(String... args) {
        return run(Map.of(), args);
    }

    /** Starts a long-running agent (renew --daemon); output goes to a file. */
    static Process start(Path log, String... args) throws IOException {
        Files.deleteIfExists(log);
        ProcessBuilder pb = new ProcessBuilder(ApplianceProcess.withDefaultSigint(command(args)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(ENV);
        return pb.start();
    }
}
