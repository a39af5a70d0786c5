package dev.hsmca.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The appliance's HTTPS API on the wire, for this library and the appliance's admin CLI alike: JSON requests over
 * HTTP/1.1 with one SSL context (which says whom to trust and what to present), answers as status, headers, body and
 * the body's JSON object. Any answer is returned, whatever its status: what a status means is the caller's. A request
 * that gets no answer is a {@link PkiClientException} ({@code UNREACHABLE} or {@code TLS_TRUST}) whose cause is the
 * JDK's own exception.
 */
public final class CaHttp {
    private final String base;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param base           the appliance's URL, as messages name it
     * @param ssl            the trust and the client certificate (if any)
     * @param connectTimeout how long a connection may take
     * @param requestTimeout how long an answer may take
     */
    public CaHttp(String base, SSLContext ssl, Duration connectTimeout, Duration requestTimeout) {
        this.base = base;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .sslContext(ssl)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .build();
    }

    /**
     * An answer of any status.
     *
     * @param json the body when it is a JSON object, else null (empty, not JSON, or another JSON value)
     */
    public record Answer(int status, String body, HttpHeaders headers, Map<String, Object> json) {
        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    public Answer get(URI target, Map<String, String> headers) {
        return send(request(target, headers).GET());
    }

    /** POST with {@code body} (maps, lists, strings, numbers, booleans, nulls) as JSON. */
    public Answer post(URI target, Map<String, String> headers, Object body) {
        return send(request(target, headers)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    public Answer delete(URI target, Map<String, String> headers) {
        return send(request(target, headers).DELETE());
    }

    private HttpRequest.Builder request(URI target, Map<String, String> headers) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(target).timeout(requestTimeout).header("Accept", "application/json");
        headers.forEach(b::header);
        return b;
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers(), jsonObject(r.body()));
        } catch (SSLHandshakeException e) {
            throw tlsFailure(e);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.UNREACHABLE,
                    "unreachable",
                    "the CA at " + base + " is unreachable: " + describe(e),
                    e);
        } catch (HttpTimeoutException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.UNREACHABLE,
                    "timeout",
                    "the CA at " + base + " did not answer within " + requestTimeout.toSeconds() + " s",
                    e);
        } catch (IOException e) {
            if (causedBy(e, SSLException.class)) {
                throw tlsFailure(e);
            }
            throw new PkiClientException(
                    PkiClientException.Kind.UNREACHABLE,
                    "unreachable",
                    "the CA at " + base + " is unreachable: " + describe(e),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PkiClientException(PkiClientException.Kind.UNREACHABLE, "interrupted", "interrupted", e);
        }
    }

    /** The body as a JSON object, or null when it is none. */
    static Map<String, Object> jsonObject(String body) {
        if (body == null || !body.stripLeading().startsWith("{")) {
            return null;
        }
        try {
            return Json.object(body);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private PkiClientException tlsFailure(Exception e) {
        boolean trust = causedBy(e, CertPathValidatorException.class) || causedBy(e, CertPathBuilderException.class);
        return trust
                ? new PkiClientException(
                        PkiClientException.Kind.TLS_TRUST,
                        "tls_trust",
                        "TLS trust failure: the server at " + base
                                + " presents a certificate that does not chain to the given root",
                        e)
                : new PkiClientException(
                        PkiClientException.Kind.TLS_TRUST,
                        "tls_handshake",
                        "TLS handshake with " + base + " failed: " + describe(e),
                        e);
    }

    private static boolean causedBy(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The first message down the causes (the JDK's HttpClient often wraps a message-less exception). */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
