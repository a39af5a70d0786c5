package dev.hsmca.appliance.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OIDC issuer in the test JVM: discovery and a JWKS over HTTP on a port the kernel picks, RSA keys it can rotate,
 * and tokens signed with them (or made wrong on purpose). For the matrix of refusals; a real provider (Keycloak) is
 * what the integration tests use.
 */
final class FakeOidcIssuer implements AutoCloseable {
    private final HttpServer server;
    private final List<RSAKey> published = new ArrayList<>();
    private volatile RSAKey current;
    final AtomicInteger keyFetches = new AtomicInteger();
    volatile boolean down;

    FakeOidcIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        current = newKey();
        published.add(current);
        server.createContext("/.well-known/openid-configuration", x -> {
            byte[] body = ("{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/jwks\","
                            + "\"authorization_endpoint\":\"" + issuer() + "/authorize\","
                            + "\"token_endpoint\":\"" + issuer() + "/token\"}")
                    .getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(down ? 503 : 200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/jwks", x -> {
            keyFetches.incrementAndGet();
            byte[] body;
            synchronized (published) {
                body = new JWKSet(published.stream()
                                .map(k -> (JWK) k.toPublicJWK())
                                .toList())
                        .toString()
                        .getBytes(StandardCharsets.UTF_8);
            }
            x.sendResponseHeaders(down ? 503 : 200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        // the authorization code flow: the user is signed in at once (no login page), as {@link #user}
        server.createContext("/authorize", x -> {
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            String code = UUID.randomUUID().toString();
            codes.put(code, q);
            x.getResponseHeaders()
                    .add(
                            "Location",
                            q.get("redirect_uri") + "?code=" + code + "&state="
                                    + java.net.URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        server.createContext("/token", x -> {
            Map<String, String> form = query(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Map<String, String> asked = codes.remove(form.getOrDefault("code", ""));
            String answer;
            int status;
            if (asked == null
                    || !"authorization_code".equals(form.get("grant_type"))
                    || !asked.get("redirect_uri").equals(form.get("redirect_uri"))
                    || !asked.get("client_id").equals(form.get("client_id"))
                    || !"S256".equals(asked.get("code_challenge_method"))
                    || !asked.get("code_challenge").equals(s256(form.getOrDefault("code_verifier", "")))) {
                status = 400;
                answer = "{\"error\":\"invalid_grant\"}";
            } else {
                Map<String, Object> claims = new java.util.HashMap<>(user);
                claims.put("nonce", asked.get("nonce"));
                String idToken =
                        sign(claims(claims).audience(asked.get("client_id")).build(), current, JWSAlgorithm.RS256);
                status = 200;
                answer = "{\"access_token\":\"x\",\"token_type\":\"Bearer\",\"id_token\":\"" + idToken + "\"}";
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(status, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
    }

    /** Who signs in at {@code /authorize}: the ID token's claims besides iss, aud, sub, nonce and times. */
    volatile Map<String, Object> user = Map.of("preferred_username", "alice", "groups", List.of("pki-admins"));

    private final Map<String, Map<String, String>> codes = new java.util.concurrent.ConcurrentHashMap<>();

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new java.util.HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&", 64)) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(
                        java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String s256(String verifier) {
        try {
            return java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A new signing key, published beside the old one, used for the tokens from now on. */
    RSAKey rotate() {
        RSAKey next = newKey();
        synchronized (published) {
            published.add(next);
        }
        current = next;
        return next;
    }

    RSAKey currentKey() {
        return current;
    }

    /** A valid token for the appliance's audience, with these claims besides. */
    String token(Map<String, Object> claims) {
        return sign(claims(claims).build(), current, JWSAlgorithm.RS256);
    }

    JWTClaimsSet.Builder claims(Map<String, Object> extra) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(issuer())
                .audience("pki-appliance")
                .subject(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString());
        extra.forEach(b::claim);
        return b;
    }

    static String sign(JWTClaimsSet claims, RSAKey key, JWSAlgorithm alg) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
            JWSSigner signer = new RSASSASigner(key);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
