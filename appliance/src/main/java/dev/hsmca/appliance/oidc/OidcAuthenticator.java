package dev.hsmca.appliance.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hsmca.appliance.domain.Delegation;
import dev.hsmca.appliance.domain.Grant;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a bearer JWT of a trusted OIDC issuer into an {@link Operator}: the token is verified by its issuer's
 * {@link OidcVerifier}, then the configured rules map its claims to permissions. Configuration is checked at start:
 * every rule names a configured issuer and known grants, every issuer pins asymmetric algorithms only.
 */
@Singleton
public class OidcAuthenticator {
    private final Map<String, OidcVerifier> byIssuer = new HashMap<>();
    private final List<Rule> rules = new ArrayList<>();

    /** A rule, checked: the claim path split, the grants typed. */
    private record Rule(
            String name,
            String issuer,
            List<String> claim,
            String value,
            Set<OidcPermission> grants,
            List<String> services,
            List<String> dns) {}

    public OidcAuthenticator(List<OidcIssuerConfig> issuers, List<OidcRuleConfig> ruleConfigs, Clock clock) {
        Map<String, OidcIssuerConfig> byName = new HashMap<>();
        for (OidcIssuerConfig c : issuers) {
            TrustedIssuer trusted = TrustedIssuer.checked("pki.oidc.issuers." + c.name(), c);
            require(!byIssuer.containsKey(c.issuer()), c.name(), "another issuer has the same issuer URL");
            byIssuer.put(c.issuer(), new OidcVerifier(trusted, clock));
            byName.put(c.name(), c);
        }
        for (OidcRuleConfig r : ruleConfigs) {
            require(
                    byName.containsKey(r.issuer()),
                    "rule " + r.name(),
                    "issuer '" + r.issuer() + "' is not configured");
            require(r.claim() != null && r.value() != null, "rule " + r.name(), "claim and value are required");
            Set<OidcPermission> grants = EnumSet.noneOf(OidcPermission.class);
            for (String g : r.grants() == null ? List.<String>of() : r.grants()) {
                try {
                    grants.add(OidcPermission.parse(g));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("pki.oidc.rules." + r.name() + ": " + e.getMessage(), e);
                }
            }
            require(!grants.isEmpty(), "rule " + r.name(), "grants must name at least one");
            rules.add(new Rule(
                    r.name(),
                    r.issuer(),
                    List.of(r.claim().split("\\.")),
                    r.value(),
                    grants,
                    List.copyOf(r.services()),
                    List.copyOf(r.dns())));
        }
    }

    /** Whether any issuer is configured (otherwise a bearer JWT is refused like any unknown credential). */
    public boolean enabled() {
        return !byIssuer.isEmpty();
    }

    /** Whether a bearer value is meant as a JWT (a JWS compact serialization), not an install token or a key. */
    public static boolean looksLikeJwt(String bearer) {
        return bearer != null
                && bearer.startsWith("eyJ")
                && bearer.chars().filter(ch -> ch == '.').count() == 2;
    }

    /** Who the token's holder is here, or 401 with the reason (403 {@code not_allowed} when no rule grants it anything). */
    public Operator authenticate(String token) {
        Verified v = verified(token);
        if (v.claims().getClaim("nonce") != null || "ID".equals(v.claims().getClaim("typ"))) {
            // an ID token is the console's sign-in, for its client: not a bearer credential for the API
            throw OidcVerifier.refused("id_token_not_accepted", "an ID token is not a bearer token for this API");
        }
        return operator(v.verifier().config().name(), v.claims());
    }

    /**
     * The console's sign-in: an ID token from the authorization code flow, for this login only (its {@code nonce}
     * is the one the login started with), mapped by the same rules as a bearer token.
     */
    public Operator login(String idToken, String nonce, String issuerName, String clientId) {
        Verified v = verified(idToken);
        if (!v.verifier().config().name().equals(issuerName)) {
            throw OidcVerifier.refused("wrong_issuer", "the ID token is not from the console's issuer");
        }
        Object azp = v.claims().getClaim("azp");
        if (azp != null && !clientId.equals(azp)) {
            throw OidcVerifier.refused("wrong_audience", "the ID token was issued to another client");
        }
        Object claimed = v.claims().getClaim("nonce");
        if (!(claimed instanceof String n)
                || !java.security.MessageDigest.isEqual(
                        n.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        nonce.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            throw OidcVerifier.refused("wrong_nonce", "the ID token was not issued for this sign-in");
        }
        return operator(v.verifier().config().name(), v.claims());
    }

    private record Verified(OidcVerifier verifier, JWTClaimsSet claims) {}

    private Verified verified(String token) {
        SignedJWT jwt = OidcVerifier.parse(token);
        String iss = OidcVerifier.issuerOf(jwt);
        OidcVerifier verifier = iss == null ? null : byIssuer.get(iss);
        if (verifier == null) {
            throw OidcVerifier.refused("wrong_issuer", "the token's issuer is not one this appliance trusts");
        }
        return new Verified(verifier, verifier.verify(jwt));
    }

    private Operator operator(String name, JWTClaimsSet claims) {
        String actor = actor(name, claims);
        boolean admin = false;
        List<Delegation> delegations = new ArrayList<>();
        for (Rule rule : rules) {
            if (!rule.issuer().equals(name)
                    || !values(claims.toJSONObject(), rule.claim()).contains(rule.value())) {
                continue;
            }
            admin |= rule.grants().contains(OidcPermission.ADMIN);
            Set<Delegation.Kind> creates = EnumSet.noneOf(Delegation.Kind.class);
            rule.grants().stream().filter(g -> g.creates != null).forEach(g -> creates.add(g.creates));
            if (!creates.isEmpty()) {
                delegations.add(new Delegation(rule.name(), creates, rule.services(), rule.dns()));
            }
        }
        if (!admin && delegations.isEmpty()) {
            throw PkiException.forbidden(
                    "not_allowed", actor + " has no permission on this appliance (no rule matches)");
        }
        return new Operator(actor, admin, delegations);
    }

    /** {@code oidc:<issuer>:<sub>}, with the user name or client id after a slash when the token has one. */
    private static String actor(String issuer, JWTClaimsSet claims) {
        String who = first(claims, "preferred_username", "client_id", "azp");
        String actor = "oidc:" + issuer + ":" + claims.getSubject() + (who == null ? "" : "/" + who);
        return Grant.safeActor(actor);
    }

    private static String first(JWTClaimsSet claims, String... names) {
        for (String n : names) {
            if (claims.getClaim(n) instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return null;
    }

    /** The strings at a claim path: a string, or the strings of a list. */
    private static List<String> values(Map<String, Object> json, List<String> path) {
        Object at = json;
        for (String part : path) {
            if (!(at instanceof Map<?, ?> map)) {
                return List.of();
            }
            at = map.get(part);
        }
        if (at instanceof String s) {
            return List.of(s);
        }
        if (at instanceof List<?> list) {
            return list.stream()
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .toList();
        }
        return List.of();
    }

    private static void require(boolean ok, String where, String what) {
        TrustedIssuer.require(ok, "pki.oidc (" + where + ")", what);
    }
}
