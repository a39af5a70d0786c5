package dev.hsmca.appliance.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An issuer whose signed JWTs the appliance accepts, checked at start: an http(s) issuer URL, an audience, asymmetric
 * signature algorithms only. Both the OIDC issuers of the admin API and the workload issuers are one of these.
 */
record TrustedIssuer(
        String name,
        String issuer,
        String audience,
        String jwksUri,
        Set<JWSAlgorithm> algorithms,
        Duration clockSkew,
        Duration keysRefresh,
        Duration keysCache,
        String caFile) {

    private static final Set<JWSAlgorithm> ASYMMETRIC = new LinkedHashSet<>();

    static {
        ASYMMETRIC.addAll(JWSAlgorithm.Family.RSA);
        ASYMMETRIC.addAll(JWSAlgorithm.Family.EC); // not EdDSA: nimbus's verifier factory has no verifier for it
    }

    TrustedIssuer {
        algorithms = Set.copyOf(algorithms);
    }

    /** The settings checked; {@code where} is the configuration key, for the message when something is wrong. */
    static TrustedIssuer checked(String where, IssuerSettings c) {
        String name = c.name();
        String issuer = c.issuer();
        String audience = c.audience();
        String jwksUri = c.jwksUri();
        Duration keysRefresh = c.keysRefresh();
        Duration keysCache = c.keysCache();
        Duration clockSkew = c.clockSkew();
        require(name.length() <= 64, where, "the name is longer than 64 characters");
        require(issuer != null && fetchable(issuer), where, "issuer must be an https URL (http only on loopback)");
        require(audience != null && !audience.isBlank(), where, "audience is required");
        require(jwksUri == null || fetchable(jwksUri), where, "jwks-uri must be an https URL (http only on loopback)");
        Set<JWSAlgorithm> pinned = new LinkedHashSet<>();
        for (String a : c.algorithms()) {
            JWSAlgorithm alg = JWSAlgorithm.parse(a.trim());
            require(ASYMMETRIC.contains(alg), where, "algorithm " + a + " is not an asymmetric signature");
            pinned.add(alg);
        }
        require(!pinned.isEmpty(), where, "algorithms must name at least one");
        require(
                !clockSkew.isNegative() && clockSkew.compareTo(Duration.ofMinutes(10)) <= 0,
                where,
                "clock-skew must be 0 to 10 minutes");
        require(
                !keysRefresh.minusSeconds(1).isNegative() && keysRefresh.compareTo(keysCache) < 0,
                where,
                "keys-refresh must be at least 1s and shorter than keys-cache (an unknown kid is fetched at most that"
                        + " often)");
        return new TrustedIssuer(
                name, issuer, audience, jwksUri, pinned, clockSkew, keysRefresh, keysCache, c.caFile());
    }

    /**
     * Where keys may be fetched from: https, or http on a loopback address (a test's issuer); never another scheme
     * (the retriever would read {@code file:} URLs), never plain http across a network, where anyone on the path
     * could serve their own keys.
     */
    static boolean fetchable(String url) {
        try {
            URI uri = URI.create(url);
            if ("https".equals(uri.getScheme()) && uri.getHost() != null) {
                return true;
            }
            return "http".equals(uri.getScheme())
                    && uri.getHost() != null
                    && (uri.getHost().equals("localhost")
                            || uri.getHost().equals("[::1]")
                            || uri.getHost().startsWith("127."));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static void require(boolean ok, String where, String what) {
        if (!ok) {
            throw new IllegalStateException(where + ": " + what);
        }
    }
}
