package dev.hsmca.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The OCSP responder as users run it: its own JVM, from its packaged jar, on its own port. */
public final class ResponderProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ResponderProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free now, for a server started later. Taken below Linux's ephemeral range (32768-60999), so that no
     * outgoing connection (wrk, clients, the database) takes it meanwhile, and never twice in one test JVM.
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20000, 32768);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress("0.0.0.0", port));
                return port;
            } catch (IOException busy) {
                // taken by someone else: try another
            }
        }
        throw new IllegalStateException("no free port found in 20000-32767");
    }

    /**
     * Starts the responder with these properties; {@code withHsm} false also removes SOFTHSM2_CONF, so the
     * process could not reach a token even if it tried.
     */
    public static ResponderProcess start(int port, Map<String, String> properties, boolean withHsm) throws Exception {
        String jar = System.getProperty("responder.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("responder jar not built: " + jar + " (run through 'make test')");
        }
        List<String> cmd = java();
        String cds = System.getProperty("responder.cds");
        if (cds != null && !cds.isBlank()) {
            prepareArchive(properties);
            cmd.add("-XX:SharedArchiveFile=" + cds);
        }
        cmd.addAll(List.of("-Dmicronaut.server.port=" + port, "-Dpki.hsm.enabled=" + withHsm));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar);
        Path log = Files.createTempFile("responder", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (!withHsm) {
            pb.environment().remove("SOFTHSM2_CONF");
        }
        ResponderProcess r = new ResponderProcess(pb.start(), port, log);
        r.awaitHealthy();
        return r;
    }

    /** java with the JVM options: the bench gives the deployment's. */
    private static List<String> java() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(System.getProperty("responder.jvm.options", "-Xmx256m").trim().split("\\s+")));
        return cmd;
    }

    /**
     * Makes the bench's class-data archive once, if it asks for one ({@code responder.cds}), as the deployment does:
     * a training run (start, warm up, exit). Called before a start is timed, so that the time does not include it.
     */
    public static synchronized void prepareArchive(Map<String, String> properties) throws Exception {
        String cds = System.getProperty("responder.cds");
        if (cds == null || cds.isBlank() || Files.exists(Path.of(cds))) {
            return;
        }
        Path archive = Path.of(cds);
        List<String> cmd = java();
        cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dpki.cds.training=true", "-Dpki.hsm.enabled=false"));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", System.getProperty("responder.jar")));
        Path log = Files.createTempFile("responder-cds", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(archive)) {
            p.destroyForcibly();
            throw new IllegalStateException("the class-data training run failed: " + Files.readString(log));
        }
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

    public HttpResponse<byte[]> get(String path) throws Exception {
        return client().send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> post(String path, String contentType, byte[] body) throws Exception {
        return client().send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("responder exited: " + log());
            }
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(25);
        }
        close();
        throw new IllegalStateException("responder did not become healthy: " + log());
    }

    /** SIGKILL, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
