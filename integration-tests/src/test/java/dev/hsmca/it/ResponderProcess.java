package dev.hsmca.it;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The OCSP responder as users run it: its own JVM, from its packaged jar, on a port the kernel picks (port -1; the
 * server writes the port it bound to a file, read here). Tests start it from a class-data archive of this build
 * (made once by a training run, shared by the test JVMs), as the deployment does.
 */
public final class ResponderProcess implements AutoCloseable {
    /** Every responder a test started and has not closed: none outlives the test JVM, whatever fails. */
    private static final Set<ResponderProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> p.process.destroyForcibly())));
    }

    private final Process process;
    private final int port;
    private final Path log;

    private ResponderProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the responder with these properties and waits until it is healthy; {@code withHsm} false also removes
     * SOFTHSM2_CONF, so the process could not reach a token even if it tried.
     */
    public static ResponderProcess start(Map<String, String> properties, boolean withHsm) {
        try {
            return startAndWait(properties, withHsm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ResponderProcess startAndWait(Map<String, String> properties, boolean withHsm)
            throws IOException, InterruptedException {
        List<String> cmd = java();
        Path cds = archive();
        prepareArchive(properties);
        if (Files.exists(cds)) {
            cmd.add("-XX:SharedArchiveFile=" + cds); // a stale archive is ignored by the JVM, never wrong
        }
        Path portFile = Files.createTempFile("responder", ".port");
        Files.delete(portFile); // written by the server once it listens
        cmd.addAll(List.of(
                "-Dmicronaut.server.port=-1", "-Dpki.server.port-file=" + portFile, "-Dpki.hsm.enabled=" + withHsm));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar());
        Path log = Files.createTempFile("responder", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (!withHsm) {
            pb.environment().remove("SOFTHSM2_CONF");
        }
        Process p = pb.start();
        int bound;
        try {
            bound = awaitPort(p, portFile, log);
        } catch (RuntimeException | InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        ResponderProcess r = new ResponderProcess(p, bound, log);
        LIVE.add(r);
        try {
            r.awaitHealthy();
        } catch (IOException | InterruptedException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    private static String jar() {
        String jar = System.getProperty("responder.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("responder jar not built: " + jar + " (run through 'make test')");
        }
        return jar;
    }

    /** The port the server wrote once it listened (a deadline only for a hang). */
    private static int awaitPort(Process p, Path portFile, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(portFile)) {
                try {
                    return Integer.parseInt(Files.readString(portFile).trim());
                } catch (NumberFormatException e) {
                    // renamed into place whole; read again
                }
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("responder exited: " + Files.readString(log));
            }
            Thread.sleep(25);
        }
        throw new IllegalStateException("responder did not start listening: " + Files.readString(log));
    }

    /** java with the JVM options: the bench gives the deployment's; tests favour a fast start (as for the appliance). */
    private static List<String> java() {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(
                List.of(System.getProperty("responder.jvm.options", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
                        .trim()
                        .split("\\s+")));
        return cmd;
    }

    /** The class-data archive: the bench names its own ({@code responder.cds}); tests keep one beside the jar. */
    static Path archive() {
        String cds = System.getProperty("responder.cds");
        return cds != null && !cds.isBlank() ? Path.of(cds) : Path.of(jar()).resolveSibling("responder-test.jsa");
    }

    /**
     * Makes the class-data archive once per build, as the deployment does: a training run (start, warm up, exit).
     * Called before a start is timed, so that the time does not include it. Test JVMs running side by side share it:
     * one trains (under a file lock), and the archive appears whole or not at all (written aside, then renamed).
     */
    public static void prepareArchive(Map<String, String> properties) throws IOException, InterruptedException {
        Path archive = archive();
        if (fresh(archive)) {
            return;
        }
        synchronized (ResponderProcess.class) {
            try (FileChannel lock = FileChannel.open(
                            archive.resolveSibling(archive.getFileName() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock ignored = lock.lock()) {
                if (!fresh(archive)) {
                    train(properties, archive);
                }
            }
        }
    }

    private static boolean fresh(Path archive) throws IOException {
        return Files.exists(archive)
                && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(Path.of(jar()))) > 0;
    }

    private static void train(Map<String, String> properties, Path archive) throws IOException, InterruptedException {
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        Files.deleteIfExists(archive);
        Files.deleteIfExists(partial);
        List<String> cmd = java();
        cmd.addAll(
                List.of("-XX:ArchiveClassesAtExit=" + partial, "-Dpki.cds.training=true", "-Dpki.hsm.enabled=false"));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar()));
        Path log = Files.createTempFile("responder-cds", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("SOFTHSM2_CONF");
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.exists(partial)) {
            p.destroyForcibly();
            throw new IllegalStateException("the class-data training run failed: " + Files.readString(log));
        }
        Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return client().send(
                        HttpRequest.newBuilder(URI.create(url() + path))
                                .timeout(Duration.ofSeconds(20))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A GET with one request header (a conditional one, say). */
    public HttpResponse<byte[]> get(String path, String header, String value) throws IOException, InterruptedException {
        return client().send(
                        HttpRequest.newBuilder(URI.create(url() + path))
                                .timeout(Duration.ofSeconds(20))
                                .header(header, value)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> post(String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        return client().send(
                        HttpRequest.newBuilder(URI.create(url() + path))
                                .timeout(Duration.ofSeconds(20))
                                .header("Content-Type", contentType)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Until /health answers 200 (the warm-up is over, the store answers); a deadline only for a hang. */
    private void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("responder exited: " + log());
            }
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // warming up
            }
            Thread.sleep(25);
        }
        throw new IllegalStateException("responder did not become healthy: " + log());
    }

    /** SIGKILL, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        LIVE.remove(this);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
