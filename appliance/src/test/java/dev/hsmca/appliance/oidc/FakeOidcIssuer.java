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
            byte[] body = ("{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/jwks\"}")
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
        server.start();
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
