package dev.hsmca.client;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/** The CA's HTTPS API, as this library uses it; every failure becomes a {@link PkiClientException}. */
final class CaApi {
    private final URI base;
    private final SSLContext anonymous;
    private final TrustManager[] trust;
    private final Duration timeout;

    CaApi(URI base, TrustManager[] trust, Duration timeout) {
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
        return expect(
                http(anonymous).post(uri("/api/v1/certificates"), Map.of("Authorization", "Bearer " + token), body),
                201);
    }

    /** Renewal over mTLS with the current certificate: POST /api/v1/certificates/renew. */
    Map<String, Object> renew(Credentials current, String csr, String validity, boolean revokeOld) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("csr", csr);
        body.put("revoke_old", revokeOld);
        if (validity != null) {
            body.put("validity", validity);
        }
        return expect(http(mtls(current)).post(uri("/api/v1/certificates/renew"), Map.of(), body), 201);
    }

    /** GET /api/v1/certificates/current; empty when unchanged since {@code etag} (304). */
    Optional<CaStatus> current(Credentials current, String etag) {
        CaHttp.Answer r = http(mtls(current))
                .get(uri("/api/v1/certificates/current"), etag == null ? Map.of() : Map.of("If-None-Match", etag));
        if (r.status() == 304) {
            return Optional.empty();
        }
        Map<String, Object> m = expect(r, 200);
        return Optional.of(new CaStatus(
                instant(m, "renew_after"),
                instant(m, "renew_before"),
                Boolean.TRUE.equals(m.get("renew_now")),
                (String) m.get("status"),
                r.header("ETag").orElse(null)));
    }

    /** POST /api/v1/services with the current certificate. */
    Map<String, Object> register(Credentials current, Map<String, Object> body) {
        CaHttp.Answer r = http(mtls(current)).post(uri("/api/v1/services"), Map.of(), body);
        return expect(r, r.status() == 200 ? 200 : 201);
    }

    private static Instant instant(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : Instant.parse(v.toString());
    }

    private SSLContext mtls(Credentials c) {
        return Tls.context(new ReloadingKeyManager(() -> c), trust);
    }

    /** A client per call: the certificate presented is the one current at the call. */
    private CaHttp http(SSLContext ssl) {
        return new CaHttp(base.toString(), ssl, timeout, timeout);
    }

    private URI uri(String path) {
        return base.resolve(path);
    }

    /** The answer's JSON when it has {@code status}; else the CA's error code and message as a typed exception. */
    private static Map<String, Object> expect(CaHttp.Answer r, int status) {
        Map<String, Object> body = r.json() == null ? Map.of() : r.json();
        if (r.status() == status) {
            return body;
        }
        String code = String.valueOf(body.getOrDefault("error", "http_" + r.status()));
        String message = String.valueOf(body.getOrDefault("message", "HTTP " + r.status()));
        PkiClientException.Kind kind = switch (code) {
            case "certificate_revoked" -> PkiClientException.Kind.REVOKED;
            case "certificate_expired" -> PkiClientException.Kind.EXPIRED;
            default -> r.status() == 503 ? PkiClientException.Kind.UNAVAILABLE : PkiClientException.Kind.REFUSED;
        };
        throw new PkiClientException(kind, code, "the CA refused (" + code + "): " + message);
    }
}
