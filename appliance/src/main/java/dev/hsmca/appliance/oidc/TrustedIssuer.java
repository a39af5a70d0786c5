package dev.hsmca.appliance.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
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
        ASYMMETRIC.addAll(JWSAlgorithm.Family.EC);
        ASYMMETRIC.addAll(JWSAlgorithm.Family.ED);
    }

    TrustedIssuer {
        algorithms = Set.copyOf(algorithms);
    }

    /** @param where the configuration key, for the message when something is wrong */
    static TrustedIssuer checked(
            String where,
            String name,
            String issuer,
            String audience,
            String jwksUri,
            List<String> algorithms,
            Duration clockSkew,
            Duration keysRefresh,
            Duration keysCache,
            String caFile) {
        require(issuer != null && issuer.matches("https?://\\S+"), where, "issuer must be an http(s) URL");
        require(audience != null && !audience.isBlank(), where, "audience is required");
        require(jwksUri == null || jwksUri.matches("https?://\\S+"), where, "jwks-uri must be an http(s) URL");
        Set<JWSAlgorithm> pinned = new LinkedHashSet<>();
        for (String a : algorithms) {
            JWSAlgorithm alg = JWSAlgorithm.parse(a.trim());
            require(ASYMMETRIC.contains(alg), where, "algorithm " + a + " is not an asymmetric signature");
            pinned.add(alg);
        }
        require(!pinned.isEmpty(), where, "algorithms must name at least one");
        require(
                !clockSkew.isNegative() && clockSkew.compareTo(Duration.ofMinutes(10)) <= 0,
                where,
                "clock-skew must be 0 to 10 minutes");
        return new TrustedIssuer(name, issuer, audience, jwksUri, pinned, clockSkew, keysRefresh, keysCache, caFile);
    }

    static void require(boolean ok, String where, String what) {
        if (!ok) {
            throw new IllegalStateException(where + ": " + what);
        }
    }
}
