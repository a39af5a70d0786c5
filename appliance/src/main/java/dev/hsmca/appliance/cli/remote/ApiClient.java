package dev.hsmca.appliance.cli.remote;

import io.micronaut.serde.ObjectMapper;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;

/** The admin CLI's HTTPS client: mTLS with the admin credential, trusting only the given CA. */
final class ApiClient {
    /** A refusal or failure, with the one line the CLI prints. */
    static final class CliError extends RuntimeException {
        CliError(String message) {
            super(message, null, false, false);
        }
    }

    record Response(int status, Map<String, Object> json, String body) {
    }

    private final HttpClient http;
    private final String base;

    private ApiClient(HttpClient http, String base) {
        this.http = http;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    static ApiClient connect(String url, Path caCert, Path adminDir) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(caCert)) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            Path p12 = adminDir.resolve("admin.p12");
            if (Files.exists(p12)) {
                char[] password = Files.readString(adminDir.resolve("admin.pass"), StandardCharsets.UTF_8).trim().toCharArray();
                KeyStore identity = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(p12)) {
                    identity.load(in, password);
                }
                kmf = KeyManagerFactory.getInstance("PKIX");
                kmf.init(identity, password);
            }
            SSLContext ssl = SSLContext.getInstance("TLSv1.3");
            ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpClient http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            return new ApiClient(http, url);
        } catch (NoSuchFileException e) {
            throw new CliError("cannot read " + e.getFile() + " (see --ca-cert / --admin-dir)");
        } catch (IOException e) {
            throw new CliError("cannot read the admin credential or CA certificate: " + e.getMessage());
        } catch (Exception e) {
            throw new CliError("cannot set up TLS: " + e.getMessage());
        }
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Response post(String path, Object body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(toJson(body))));
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** The JSON of a 2xx answer; any other status becomes a CliError with the API's own message. */
    Map<String, Object> ok(Response r) {
        if (r.status() / 100 != 2) {
            Object code = r.json() == null ? null : r.json().get("error");
            Object message = r.json() == null ? null : r.json().get("message");
            throw new CliError("HTTP " + r.status() + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message));
        }
        return r.json();
    }

    static String query(String key, Object value) {
        return value == null ? "" : "&" + key + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8);
    }

    private URI uri(String path) {
        try {
            return URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new CliError("bad URL " + base + path);
        }
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), parse(r.body()), r.body());
        } catch (IOException e) {
            throw new CliError("cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError("interrupted");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String body) {
        if (body == null || body.isBlank() || !body.trim().startsWith("{")) {
            return null;
        }
        try {
            return ObjectMapper.getDefault().readValue(body, Map.class);
        } catch (IOException e) {
            return null;
        }
    }

    static String toJson(Object value) {
        try {
            return ObjectMapper.getDefault().writeValueAsString(value);
        } catch (IOException e) {
            throw new CliError("cannot encode JSON: " + e.getMessage());
        }
    }
}
