package dev.hsmca.appliance.cli.remote;

import dev.hsmca.client.CaHttp;
import dev.hsmca.client.PkiClientException;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The admin CLI's side of the API: the client library's {@link CaHttp} with the admin credential (mTLS), trusting
 * only the given CA; its failures become the one line the CLI prints.
 */
final class ApiClient {
    /** A refusal or failure, with the one line the CLI prints. */
    static final class CliError extends RuntimeException {
        CliError(String message) {
            super(message, null, false, false);
        }
    }

    private final CaHttp http;
    private final String base;

    private ApiClient(CaHttp http, String base) {
        this.http = http;
        this.base = base;
    }

    static ApiClient connect(String url, Path caCert, Path adminDir) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(caCert)) {
                trust.setCertificateEntry(
                        "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            Path p12 = adminDir.resolve("admin.p12");
            if (Files.exists(p12)) {
                char[] password = Files.readString(adminDir.resolve("admin.pass"), StandardCharsets.UTF_8)
                        .trim()
                        .toCharArray();
                KeyStore identity = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(p12)) {
                    identity.load(in, password);
                }
                kmf = KeyManagerFactory.getInstance("PKIX");
                kmf.init(identity, password);
            }
            SSLContext ssl = SSLContext.getInstance("TLSv1.3");
            ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return new ApiClient(new CaHttp(base, ssl, Duration.ofSeconds(10), Duration.ofSeconds(30)), base);
        } catch (NoSuchFileException e) {
            throw new CliError("cannot read " + e.getFile() + " (see --ca-cert / --admin-dir)");
        } catch (IOException e) {
            throw new CliError("cannot read the admin credential or CA certificate: " + e.getMessage());
        } catch (Exception e) {
            throw new CliError("cannot set up TLS: " + e.getMessage());
        }
    }

    CaHttp.Answer get(String path) {
        URI uri = uri(path);
        return send(() -> http.get(uri, Map.of()));
    }

    CaHttp.Answer post(String path, Object body) {
        URI uri = uri(path);
        return send(() -> http.post(uri, Map.of(), body));
    }

    CaHttp.Answer delete(String path) {
        URI uri = uri(path);
        return send(() -> http.delete(uri, Map.of()));
    }

    /** The JSON of a 2xx answer; any other status becomes a CliError with the API's own message. */
    Map<String, Object> ok(CaHttp.Answer r) {
        if (r.status() / 100 != 2) {
            Object code = r.json() == null ? null : r.json().get("error");
            Object message = r.json() == null ? null : r.json().get("message");
            throw new CliError(
                    "HTTP " + r.status() + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message));
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

    /** No answer at all: the JDK's own reason, as this CLI has always printed it. */
    private CaHttp.Answer send(Supplier<CaHttp.Answer> call) {
        try {
            return call.get();
        } catch (PkiClientException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof InterruptedException) {
                throw new CliError("interrupted");
            }
            throw new CliError("cannot reach " + base + ": "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        }
    }

    /** What the CLI prints with --json: the appliance's own serializer, as before. */
    static String toJson(Object value) {
        try {
            return ObjectMapper.getDefault().writeValueAsString(value);
        } catch (IOException e) {
            throw new CliError("cannot encode JSON: " + e.getMessage());
        }
    }
}
