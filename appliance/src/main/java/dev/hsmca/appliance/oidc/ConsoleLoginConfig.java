package dev.hsmca.appliance.oidc;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * The console's OIDC sign-in (authorization code with PKCE), off unless {@code issuer} is set.
 *
 * @param issuer       the name of a trusted issuer ({@code pki.oidc.issuers.<name>}); its rules map the signed-in
 *                     user to permissions, as for bearer tokens, and only an {@code admin} grant opens the console
 * @param clientId     the console's client at the issuer: the ID token's audience, so it must be that issuer's
 *                     configured {@code audience}
 * @param clientSecret for a confidential client (sent with HTTP Basic); a public client relies on PKCE alone
 * @param redirectUri  {@code https://<appliance>/ui/oidc/callback} as registered at the issuer; when unset, made
 *                     from the request's Host (the issuer refuses one it does not know)
 */
@ConfigurationProperties("pki.console.oidc")
public record ConsoleLoginConfig(
        @Nullable String issuer,
        @Nullable String clientId,
        @Nullable String clientSecret,
        @Nullable String redirectUri) {}
