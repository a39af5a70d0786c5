package dev.hsmca.appliance.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.hsmca.appliance.domain.PkiException;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a token of one issuer: the algorithm is one pinned for it, the signature verifies with a key of its key set
 * (fetched by discovery, cached, fetched again for an unknown {@code kid} at most once per {@code keys-refresh}), and
 * {@code iss}, {@code aud}, {@code exp}, {@code nbf}, {@code iat} hold against the appliance's clock. Every refusal is a
 * 401 with its own code; the issuer being unreachable is a 503.
 */
final class OidcVerifier {
    private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();
    private static final long RETRY_DISCOVERY_NANOS = 5_000_000_000L;

    private final TrustedIssuer config;
    private final Set<JWSAlgorithm> algorithms;
    private final ResourceRetriever retriever;
    private final Clock clock;
    private volatile JWKSource<SecurityContext> keys;
    private volatile long discoveryFailedAt;

    OidcVerifier(TrustedIssuer config, Clock clock) {
        this.config = config;
        this.algorithms = config.algorithms();
        this.retriever =
                new DefaultResourceRetriever(5_000, 5_000, 256 * 1024, true, TrustFiles.socketFactory(config.caFile()));
        this.clock = clock;
    }

    TrustedIssuer config() {
        return config;
    }

    /** The longest token read at all (a Keycloak access token with many groups is a few kilobytes). */
    static final int MAX_TOKEN = 16 * 1024;

    /** A bearer value as a signed JWT, not yet verified: 401 when it is not one (unsigned, encrypted, garbage). */
    static SignedJWT parse(String token) {
        if (token.length() > MAX_TOKEN) {
            throw refused("token_invalid", "the token is longer than " + MAX_TOKEN + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw refused("token_invalid", "the bearer token is not a JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw refused("alg_not_allowed", "the token is not signed (alg none or encrypted)");
        }
        return signed;
    }

    /** The {@code iss} a token claims, unverified: which issuer's keys to verify it with. */
    static String issuerOf(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw refused("token_invalid", "the token's claims are not a JSON object");
        }
    }

    /** The token's claims once every check passed. */
    JWTClaimsSet verify(SignedJWT jwt) {
        JWSHeader header = jwt.getHeader();
        if (!algorithms.contains(header.getAlgorithm())) {
            throw refused("alg_not_allowed", "tokens of " + config.name() + " must be signed with " + algorithms);
        }
        List<JWK> candidates = candidates(header);
        if (candidates.isEmpty()) {
            throw refused("unknown_kid", "no signing key of " + config.name() + " has this token's key id");
        }
        if (!anyVerifies(jwt, candidates)) {
            throw refused("bad_signature", "the token's signature does not verify with " + config.name() + "'s key");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("token_invalid", "the token's claims are not a JSON object");
        }
        checkClaims(claims);
        return claims;
    }

    private void checkClaims(JWTClaimsSet claims) {
        Instant now = clock.instant();
        long skew = config.clockSkew().toMillis();
        if (!config.issuer().equals(claims.getIssuer())) {
            throw refused("wrong_issuer", "the token's iss is not " + config.issuer());
        }
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(config.audience())) {
            throw refused(
                    "wrong_audience",
                    "the token is not meant for this appliance (aud must include " + config.audience() + ")");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw refused("token_invalid", "the token has no exp");
        }
        if (now.toEpochMilli() > exp.getTime() + skew) {
            throw refused("token_expired", "the token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        Date iat = claims.getIssueTime();
        if ((nbf != null && now.toEpochMilli() + skew < nbf.getTime())
                || (iat != null && now.toEpochMilli() + skew < iat.getTime())) {
            throw refused("token_not_yet_valid", "the token is not valid yet");
        }
        if (claims.getSubject() == null
                || claims.getSubject().isBlank()
                || claims.getSubject().length() > 1024) {
            throw refused("token_invalid", "the token has no sub (or one longer than 1024 characters)");
        }
    }

    private List<JWK> candidates(JWSHeader header) {
        try {
            return keys().get(new JWKSelector(JWKMatcher.forJWSHeader(header)), null);
        } catch (RateLimitReachedException e) {
            return List.of(); // an unknown kid again within keys-refresh: not fetched again
        } catch (KeySourceException e) {
            throw unavailable("the signing keys of " + config.name() + " could not be fetched");
        }
    }

    private static boolean anyVerifies(SignedJWT jwt, List<JWK> candidates) {
        for (JWK jwk : candidates) {
            try {
                Key key = jwk instanceof AsymmetricJWK asymmetric
                        ? asymmetric.toPublicKey()
                        : null; // never a shared secret
                if (key != null && jwt.verify(VERIFIERS.createJWSVerifier(jwt.getHeader(), key))) {
                    return true;
                }
            } catch (JOSEException e) {
                // a key of the wrong kind or size for this algorithm: try the next
            }
        }
        return false;
    }

    /** The issuer's key source, made on first use from its discovery document (or the configured JWKS URL). */
    private JWKSource<SecurityContext> keys() {
        JWKSource<SecurityContext> k = keys;
        if (k != null) {
            return k;
        }
        synchronized (this) {
            if (keys != null) {
                return keys;
            }
            if (discoveryFailedAt != 0 && System.nanoTime() - discoveryFailedAt < RETRY_DISCOVERY_NANOS) {
                throw unavailable("the issuer " + config.name() + " could not be reached a moment ago");
            }
            try {
                URL jwks = URI.create(config.jwksUri() != null ? config.jwksUri() : discover())
                        .toURL();
                JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.create(jwks, retriever)
                        .cache(config.keysCache().toMillis(), 5_000)
                        .refreshAheadCache(false);
                keys = (config.keysRefresh().isZero()
                                ? builder.rateLimited(false)
                                : builder.rateLimited(config.keysRefresh().toMillis()))
                        .retrying(false)
                        .build();
                return keys;
            } catch (IOException | ParseException | RuntimeException e) {
                discoveryFailedAt = System.nanoTime(); // elapsed time, not the (maybe fixed) clock of the claims
                throw unavailable("the discovery document of " + config.name() + " could not be read");
            }
        }
    }

    private String discover() throws IOException, ParseException {
        URL url = URI.create(config.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration")
                .toURL();
        Map<String, Object> document =
                JSONObjectUtils.parse(retriever.retrieveResource(url).getContent());
        if (!config.issuer().equals(document.get("issuer"))) {
            throw new ParseException("the discovery document names another issuer", 0);
        }
        Object jwks = document.get("jwks_uri");
        if (!(jwks instanceof String s) || !TrustedIssuer.fetchable(s)) {
            throw new ParseException("the discovery document has no jwks_uri this appliance may fetch", 0);
        }
        return s;
    }

    static PkiException refused(String code, String message) {
        return PkiException.unauthorized(code, message);
    }

    private static PkiException unavailable(String message) {
        return PkiException.unavailable("oidc_unavailable", message + "; try again shortly");
    }
}
