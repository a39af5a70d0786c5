package dev.hsmca.it;

import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The appliance as operators run it: its own JVM from the packaged jar. Tests signal it by its own PID only.
 */
public final class ApplianceProcess implements AutoCloseable {
    /** Every process a test started and has not closed: none outlives the test JVM, whatever fails. */
    private static final Set<ApplianceProcess> LIVE = ConcurrentHashMap.newKeySet();
    /** How long a start may take before it counts as hung (the JVM, the HSM, the store and the CA's checks). */
    public static final Duration START = Duration.ofMinutes(3);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> p.process.destroyForcibly())));
    }

    private final Process process;
    private final Path portFile;
    private final Path log;
    private int port;

    private ApplianceProcess(Process process, Path portFile, Path log) {
        this.process = process;
        this.portFile = portFile;
        this.log = log;
    }

    static String jar() {
        String jar = System.getProperty("appliance.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("appliance jar not built: " + jar + " (run through 'make test')");
        }
        return jar;
    }

    /**
     * Runs the command with SIGINT at its default: a test runner started in the background (by a non-interactive
     * shell) passes SIGINT down as ignored, and the JVM would then never see a Ctrl-C. The exec keeps the PID.
     */
    static List<String> withDefaultSigint(List<String> command) {
        List<String> cmd = new ArrayList<>(
                List.of(
                        "python3",
                        "-c",
                        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"));
        cmd.addAll(command);
        return cmd;
    }

    static List<String> command(Map<String, String> properties, String... args) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the bench runs the appliance with the deployment's JVM options; tests favour a fast start
        cmd.addAll(
                List.of(System.getProperty("appliance.jvm.options", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
                        .trim()
                        .split("\\s+")));
        Path archive = archive();
        if (Files.exists(archive) && System.getProperty("appliance.jvm.options") == null) {
            cmd.add("-XX:SharedArchiveFile=" + archive); // a stale archive is ignored by the JVM, never wrong
        }
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * A class-data archive of the appliance jar (AppCDS), made once per build by a training start: later JVMs of the
     * restart tests start in about half the time (measured 4.2 s to 2.2 s to the first answer).
     */
    static Path archive() {
        return Path.of(jar()).resolveSibling("appliance-test.jsa");
    }

    /**
     * Makes the archive if this build has none yet. Test JVMs running side by side share it: one trains (under a file
     * lock), the others wait for it, and the archive appears whole or not at all (written aside, then renamed).
     */
    private static void train(TestAppliance app) throws IOException {
        Path archive = archive();
        if (fresh(archive)) {
            return;
        }
        synchronized (ApplianceProcess.class) {
            try (FileChannel lock = FileChannel.open(
                            archive.resolveSibling(archive.getFileName() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock ignored = lock.lock()) {
                if (!fresh(archive)) {
                    trainLocked(app, archive);
                }
            }
        }
    }

    private static boolean fresh(Path archive) throws IOException {
        return Files.exists(archive)
                && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(Path.of(jar()))) > 0;
    }

    private static void trainLocked(TestAppliance app, Path archive) throws IOException {
        Files.deleteIfExists(archive);
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Map<String, String> properties = new HashMap<>(app.properties());
        Path portFile = Files.createTempFile(app.dir(), "cds", ".port");
        Files.delete(portFile);
        properties.put("micronaut.server.ssl.port", "-1");
        properties.put("pki.server.port-file", portFile.toString());
        List<String> cmd = command(properties);
        cmd.add(1, "-XX:ArchiveClassesAtExit=" + partial);
        Path log = Files.createTempFile(app.dir(), "cds", ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ApplianceProcess training = new ApplianceProcess(p, portFile, log);
        try {
            if (training.awaitHealthy(app.anonymousSsl(), Duration.ofMinutes(3))) {
                p.destroy(); // SIGTERM: a normal exit writes the archive
                if (p.waitFor(120, TimeUnit.SECONDS) && Files.exists(partial)) {
                    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Starts the server on a port the kernel picks (port -1; the server writes the port it bound to a file, read by
     * {@link #awaitHealthy} and {@link #port()}); does not wait.
     */
    public static ApplianceProcess start(TestAppliance app, Map<String, String> extra) throws IOException {
        return start(app, -1, extra, Map.of());
    }

    /** As {@link #start(TestAppliance, Map)}, with these environment variables (e.g. another SOFTHSM2_CONF). */
    public static ApplianceProcess start(TestAppliance app, Map<String, String> extra, Map<String, String> env)
            throws IOException {
        return start(app, -1, extra, env);
    }

    /**
     * On this port, for a restart that must be found where the last process was (a client keeps the URL):
     * see {@link Ports#fixed()}.
     */
    public static ApplianceProcess startOn(TestAppliance app, int port, Map<String, String> extra) throws IOException {
        return start(app, port, extra, Map.of());
    }

    private static ApplianceProcess start(
            TestAppliance app, int port, Map<String, String> extra, Map<String, String> env) throws IOException {
        if (System.getProperty("appliance.jvm.options") == null) {
            train(app);
        }
        Map<String, String> properties = new HashMap<>(app.properties());
        properties.putAll(extra);
        Path portFile = Files.createTempFile(app.dir(), "appliance", ".port");
        Files.delete(portFile); // written by the server once it listens
        properties.put("micronaut.server.ssl.port", Integer.toString(port));
        properties.put("pki.server.port-file", portFile.toString());
        Path log = Files.createTempFile(app.dir(), "appliance", ".log");
        ProcessBuilder pb = new ProcessBuilder(withDefaultSigint(command(properties)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        ApplianceProcess started = new ApplianceProcess(p, portFile, log);
        LIVE.add(started);
        return started;
    }

    /** Runs a command of the jar (e.g. {@code audit verify}) to completion; its exit code and output. */
    public static Shell.Result command(TestAppliance app, String... args) {
        return Shell.exec(app.dir(), command(app.properties(), args).toArray(String[]::new));
    }

    /**
     * True once the server reported its port and /health answers 200 there; false when the process exited first (e.g.
     * the store is held elsewhere). The timeout is for a hang only.
     */
    public boolean awaitHealthy(SSLContext ssl, Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            int bound = boundPort();
            if (bound > 0) {
                try {
                    HttpResponse<String> r = client.send(
                            HttpRequest.newBuilder(URI.create("https://localhost:" + bound + "/health"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return true;
                    }
                } catch (IOException e) {
                    // starting
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("appliance did not become healthy in " + timeout + ": " + log());
    }

    /** The port the server bound (known once it listens: after {@link #awaitHealthy} returned true). */
    public int port() {
        int bound = boundPort();
        if (bound <= 0) {
            throw new IllegalStateException("the appliance has not reported its port (not listening yet): " + log());
        }
        return bound;
    }

    private synchronized int boundPort() {
        if (port == 0 && Files.exists(portFile)) {
            try {
                port = Integer.parseInt(Files.readString(portFile).trim());
            } catch (IOException | NumberFormatException e) {
                return 0; // renamed into place whole; read again
            }
        }
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Sends a signal (KILL, TERM, INT) to this process only. */
    public void signal(String name) {
        Shell.exec(null, "kill", "-" + name, Long.toString(process.pid())).ok();
    }

    public boolean waitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int exitCode() {
        return process.exitValue();
    }

    /** Until the log holds this text (a line logged by another thread may follow the answer that caused it). */
    public boolean awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos(); // a hang is the failure
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        LIVE.remove(this);
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
