package dev.hsmca.it;

import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak (its Maven Central distribution) on a port the kernel picks, with the realm
 * {@code keycloak/pki-realm.json} imported: groups {@code pki-admins} (alice), {@code pki-enrollers} (bob), clients
 * {@code pki-backend} (password grant) and {@code backend-svc} (client credentials), tokens for the audience
 * {@code pki-appliance}. Built once per build folder ({@code kc.sh build}), then started optimized from a hard-linked
 * copy, with the first JIT tier and the serial collector (about a third less CPU to start). Facts behind this:
 * ../shared/notes/keycloak.md.
 */
final class KeycloakProcess implements AutoCloseable {
    static final String REALM = "pki";
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^ ]*:(\\d+)");
    private static final Duration START = Duration.ofMinutes(5); // a hang is the failure
    private static final String JAVA_OPTS = "-XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m -Dfile.encoding=UTF-8"
            + " -XX:+ExitOnOutOfMemoryError -Djava.security.egd=file:/dev/urandom -XX:+UseSerialGC"
            + " -XX:TieredStopAtLevel=1 -Xss512k -Xms64m -Xmx384m -XX:-UsePerfData";

    private final Process process;
    private final Path home;
    private final Path log;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private KeycloakProcess(Process process, Path home, Path log, int port) {
        this.process = process;
        this.home = home;
        this.log = log;
        this.port = port;
    }

    static KeycloakProcess start() throws IOException, InterruptedException {
        Path built = built();
        Path home = Files.createTempDirectory(built.getParent(), "run");
        Files.delete(home);
        Shell.exec(null, "cp", "-al", built.toString(), home.toString()).ok();
        Path realm = home.resolve("data/import/pki-realm.json");
        Files.createDirectories(realm.getParent());
        try (InputStream in = KeycloakProcess.class.getResourceAsStream("/keycloak/pki-realm.json")) {
            Files.copy(in, realm);
        }
        Path log = home.resolve("keycloak.log");
        ProcessBuilder pb = new ProcessBuilder(
                        "setsid", // a process group of its own: stopped whole
                        home.resolve("bin/kc.sh").toString(),
                        "start",
                        "--optimized",
                        "--http-enabled=true",
                        "--http-host=127.0.0.1",
                        "--http-port=0",
                        "--hostname-strict=false",
                        "--cache=local",
                        "--import-realm")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", javaHome().toString());
        pb.environment().put("JAVA_OPTS", JAVA_OPTS);
        Process process = pb.start();
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                KeycloakProcess kc = new KeycloakProcess(process, home, log, Integer.parseInt(m.group(1)));
                kc.awaitRealm(deadline);
                return kc;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("Keycloak did not start in " + START + ": " + Files.readString(log));
    }

    /** The distribution unpacked and built ({@code kc.sh build}) once; later runs start from it. */
    private static synchronized Path built() throws IOException {
        Path dist = Path.of(System.getProperty("keycloak.dist", "target/keycloak/keycloak.tar.gz"));
        if (!Files.isRegularFile(dist)) {
            throw new IllegalStateException("no Keycloak distribution at " + dist + " (the build copies it there)");
        }
        Path dir = dist.getParent();
        Path built = dir.resolve("built");
        if (Files.exists(built.resolve(".built"))) {
            return built;
        }
        Path unpack = Files.createTempDirectory(dir, "unpack");
        Shell.exec(null, "tar", "xzf", dist.toString(), "-C", unpack.toString()).ok();
        Path kc;
        try (Stream<Path> s = Files.list(unpack)) {
            kc = s.filter(p -> p.getFileName().toString().startsWith("keycloak-"))
                    .findFirst()
                    .orElseThrow();
        }
        Shell.Result r = Shell.exec(
                null,
                "env",
                "JAVA_HOME=" + javaHome(),
                "JAVA_OPTS=" + JAVA_OPTS,
                kc.resolve("bin/kc.sh").toString(),
                "build",
                "--db=dev-file");
        if (r.exit() != 0) {
            throw new IllegalStateException("kc.sh build failed: " + r.output());
        }
        Shell.exec(null, "rm", "-rf", built.toString()).ok();
        Files.move(kc, built);
        Files.writeString(built.resolve(".built"), "");
        Shell.exec(null, "rm", "-rf", unpack.toString()).ok();
        return built;
    }

    /** A JDK 21 or newer: $KEYCLOAK_JAVA_HOME, or the newest under /usr/lib/jvm (this image has Temurin 25). */
    static Path javaHome() {
        String configured = System.getenv("KEYCLOAK_JAVA_HOME");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
            Optional<Path> newest =
                    s.filter(p -> feature(p) >= 21).max(Comparator.comparingInt(KeycloakProcess::feature));
            return newest.orElseThrow(() -> new IllegalStateException(
                    "Keycloak needs a JDK 21 or newer: none under /usr/lib/jvm; set KEYCLOAK_JAVA_HOME"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int feature(Path jdk) {
        try {
            Path release = jdk.resolve("release");
            if (!Files.isRegularFile(release) || !Files.isExecutable(jdk.resolve("bin/java"))) {
                return 0;
            }
            Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private void awaitRealm(long deadline) throws IOException, InterruptedException {
        while (System.nanoTime() < deadline) {
            try {
                if (get(issuer() + "/.well-known/openid-configuration").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the realm did not answer: " + Files.readString(log));
    }

    /** The issuer as its tokens name it (the host form the tokens are asked for with). */
    String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    /** A user's access token (password grant through the public client {@code pki-backend}). */
    String userToken(String user) throws IOException, InterruptedException {
        return token(
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "pki-backend",
                        "username",
                        user,
                        "password",
                        user + "-pw"),
                "access_token");
    }

    /** A user's ID token: meant for the client {@code pki-backend}, not for the appliance. */
    String idToken(String user) throws IOException, InterruptedException {
        return token(
                Map.of(
                        "grant_type", "password",
                        "client_id", "pki-backend",
                        "username", user,
                        "password", user + "-pw",
                        "scope", "openid"),
                "id_token");
    }

    /** The backend's own token (client credentials of the confidential client {@code backend-svc}). */
    String serviceToken() throws IOException, InterruptedException {
        return token(
                Map.of(
                        "grant_type", "client_credentials",
                        "client_id", "backend-svc",
                        "client_secret", "backend-svc-secret"),
                "access_token");
    }

    /** A new RSA signing key with a higher priority than the realm's first: the next tokens carry its kid. */
    void rotateSigningKey() throws IOException, InterruptedException {
        String admin = token(
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "admin-cli",
                        "username",
                        "kcadmin",
                        "password",
                        "kcadmin-pw"),
                "access_token");
        String body = "{\"name\":\"rsa-rotated\",\"providerId\":\"rsa-generated\","
                + "\"providerType\":\"org.keycloak.keys.KeyProvider\",\"parentId\":\"" + REALM + "\","
                + "\"config\":{\"priority\":[\"200\"],\"keySize\":[\"2048\"],\"algorithm\":[\"RS256\"],"
                + "\"enabled\":[\"true\"],\"active\":[\"true\"]}}";
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/admin/realms/" + REALM + "/components"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("key rotation: " + r.statusCode() + " " + r.body());
        }
    }

    private String token(Map<String, String> form, String field) throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]+)\"").matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("Keycloak token request: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy(); // SIGTERM to kc.sh, which stops its java
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            Shell.exec(null, "kill", "-KILL", "--", "-" + process.pid());
            process.waitFor(30, TimeUnit.SECONDS);
        }
        Shell.exec(null, "rm", "-rf", home.toString());
    }
}
