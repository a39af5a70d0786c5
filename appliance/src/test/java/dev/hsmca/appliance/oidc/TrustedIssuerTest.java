package dev.hsmca.appliance.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an issuer's configuration may say, checked at start: every wrong setting stops the appliance with why. */
class TrustedIssuerTest {

    static TrustedIssuer issuer(String url, String jwks, List<String> algorithms, String refresh, String cache) {
        return TrustedIssuer.checked(
                "pki.oidc.issuers.x",
                new OidcIssuerConfig(
                        "x",
                        url,
                        "aud",
                        jwks,
                        algorithms,
                        Duration.ofSeconds(60),
                        Duration.parse(refresh),
                        Duration.parse(cache),
                        null));
    }

    @Test
    void keysComeOverHttpsOrFromThisHostOnly() {
        assertTrue(TrustedIssuer.fetchable("https://sso.example/realms/pki"));
        assertTrue(TrustedIssuer.fetchable("http://127.0.0.1:8080/realms/pki"));
        assertTrue(TrustedIssuer.fetchable("http://localhost:8080"));
        assertFalse(TrustedIssuer.fetchable("http://sso.example/realms/pki"), "keys anyone on the path could replace");
        assertFalse(TrustedIssuer.fetchable("file:///etc/passwd"));
        assertFalse(TrustedIssuer.fetchable("ftp://sso.example/keys"));
        assertFalse(TrustedIssuer.fetchable("https:///no-host"));
        assertFalse(TrustedIssuer.fetchable("not a url"));
        assertThrows(
                IllegalStateException.class,
                () -> issuer("http://sso.example", null, List.of("RS256"), "PT30S", "PT15M"));
        assertThrows(
                IllegalStateException.class,
                () -> issuer("https://sso.example", "file:///keys.json", List.of("RS256"), "PT30S", "PT15M"));
    }

    @Test
    void onlyAsymmetricSignaturesThisAppliancesVerifiersKnow() {
        assertEquals(
                2,
                issuer("https://sso.example", null, List.of("RS256", "ES256"), "PT30S", "PT15M")
                        .algorithms()
                        .size());
        for (String alg : List.of("HS256", "none", "EdDSA")) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> issuer("https://sso.example", null, List.of(alg), "PT30S", "PT15M"));
            assertTrue(e.getMessage().contains(alg), e.getMessage());
        }
    }

    @Test
    void anUnknownKeyIdIsFetchedAtMostEveryKeysRefresh() {
        assertThrows(
                IllegalStateException.class,
                () -> issuer("https://sso.example", null, List.of("RS256"), "PT0S", "PT15M"),
                "no rate limit");
        assertThrows(
                IllegalStateException.class,
                () -> issuer("https://sso.example", null, List.of("RS256"), "PT15M", "PT15M"),
                "nimbus refuses it");
        issuer("https://sso.example", null, List.of("RS256"), "PT1S", "PT15M");
    }
}
