package dev.hsmca.client;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The CA's HTTPS API, as this library uses it; every failure becomes a {@link PkiClientException}. */
final class CaApi {
    private final URI base;
    private final SSLContext anonymous;
    private final javax.net.ssl.TrustManager[] trust;
    private final Duration timeout;

    CaApi(URI base, javax.net.ssl.TrustManager[] trust, Duration timeout) {
        this.base = base;
        this.trust = trust;
        this.anonymous = Tls.context(null, trust);
        this.timeout = timeout;
    }

    URI base() {
        return base;
    }

    /** One-time install token: POST /api/v1/certificates. */
    Map<String, Object> enroll(String token, String csr, String profile, String validity) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("csr", csr);
        if (profile != null) {
            body.put("profile", profile);
        }
        if (validity != null) {
            body.put("validity", validity);
        }
        HttpRequest r = request("/api/v1/certificates").header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        return expect(send(anonymous, r), 201);
    }

    /** Renewal over mTLS with the current certificate: POST /api/v1/certificates/renew. */
    Map<String, Object> renew(Credentials current, String csr, String validity, boolean revokeOld) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("csr", csr);
        body.put("revoke_old", revokeOld);
        if (validity != null) {
            body.put("validity", validity);
        }
        HttpRequest r = request("/api/v1/certificates/renew").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        return expect(send(mtls(current), r), 201);
    }

    /** GET /api/v1/certificates/current; empty when unchanged since {@code etag} (304). */
    Optional<CaStatus> current(Credentials current, String etag) {
        HttpRequest.Builder b = request("/api/v1/certificates/current").GET();
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        HttpResponse<String> r = send(mtls(current), b.build());
        if (r.statusCode() == 304) {
            return Optional.empty();
        }
        Map<String, Object> m = expect(r, 200);
        return Optional.of(new CaStatus(instant(m, "renew_after"), instant(m, "renew_before"),
                Boolean.TRUE.equals(m.get("renew_now")), (String) m.get("status"), r.headers().firstValue("ETag").orElse(null)));
    }

    /** POST /api/v1/services with the current certificate. */
    Map<String, Object> register(Credentials current, Map<String, Object> body) {
        HttpRequest r = request("/api/v1/services").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        HttpResponse<String> response = send(mtls(current), r);
        return response.statusCode() == 200 ? expect(response, 200) : expect(response, 201);
    }

    private static java.time.Instant instant(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : java.time.Instant.parse(v.toString());
    }

    private SSLContext mtls(Credentials c) {
        return Tls.context(new ReloadingKeyManager(() -> c), trust);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Accept", "application/json");
    }

    private HttpResponse<String> send(SSLContext ssl, HttpRequest request) {
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (SSLHandshakeException e) {
            throw tlsFailure(e);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new PkiClientException(PkiClientException.Kind.UNREACHABLE, "unreachable",
                    "the CA at " + base + " is unreachable: " + describe(e), e);
        } catch (HttpTimeoutException e) {
            throw new PkiClientException(PkiClientException.Kind.UNREACHABLE, "timeout",
                    "the CA at " + base + " did not answer within " + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            if (causedBy(e, javax.net.ssl.SSLException.class)) {
                throw tlsFailure(e);
            }
            throw new PkiClientException(PkiClientException.Kind.UNREACHABLE, "unreachable",
                    "the CA at " + base + " is unreachable: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PkiClientException(PkiClientException.Kind.UNREACHABLE, "interrupted", "interrupted", e);
        }
    }

    private PkiClientException tlsFailure(Exception e) {
        boolean trust = causedBy(e, java.security.cert.CertPathValidatorException.class)
                || causedBy(e, java.security.cert.CertPathBuilderException.class);
        return trust
                ? new PkiClientException(PkiClientException.Kind.TLS_TRUST, "tls_trust", "TLS trust failure: the server at "
                + base + " presents a certificate that does not chain to the given root", e)
                : new PkiClientException(PkiClientException.Kind.TLS_TRUST, "tls_handshake", "TLS handshake with " + base
                + " failed: " + describe(e), e);
    }

    private static boolean causedBy(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private Map<String, Object> expect(HttpResponse<String> r, int status) {
        Map<String, Object> body;
        try {
            body = r.body() == null || r.body().isBlank() ? Map.of() : Json.object(r.body());
        } catch (IllegalArgumentException e) {
            body = Map.of();
        }
        if (r.statusCode() == status) {
            return body;
        }
        String code = String.valueOf(body.getOrDefault("error", "http_" + r.statusCode()));
        String message = String.valueOf(body.getOrDefault("message", "HTTP " + r.statusCode()));
        PkiClientException.Kind kind = switch (code) {
            case "certificate_revoked" -> PkiClientException.Kind.REVOKED;
            case "certificate_expired" -> PkiClientException.Kind.EXPIRED;
            default -> r.statusCode() == 503 ? PkiClientException.Kind.UNAVAILABLE : PkiClientException.Kind.REFUSED;
        };
        return throwing(new PkiClientException(kind, code, "the CA refused (" + code + "): " + message));
    }

    private static Map<String, Object> throwing(PkiClientException e) {
        throw e;
    }
}
