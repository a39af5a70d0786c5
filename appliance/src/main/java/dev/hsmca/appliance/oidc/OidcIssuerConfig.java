package dev.hsmca.appliance.oidc;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.List;

/**
 * An OIDC issuer the appliance trusts for bearer tokens ({@code pki.oidc.issuers.<name>}). What its tokens may do is
 * said by {@link OidcRuleConfig rules}; an issuer without a rule grants nothing.
 *
 * @param name          the issuer's name in rules and in the audit trail ({@code oidc:<name>:<subject>})
 * @param issuer        the exact {@code iss} of its tokens; discovery is read from
 *                      {@code <issuer>/.well-known/openid-configuration} unless {@code jwksUri} is set
 * @param audience      the {@code aud} a token must carry to be accepted here (the appliance's client id)
 * @param jwksUri       where its signing keys are, when discovery is not used
 * @param algorithms    the only signature algorithms accepted (never {@code none}, never an HMAC)
 * @param clockSkew     tolerance for {@code exp}, {@code nbf} and {@code iat}
 * @param keysRefresh   the shortest time between two fetches of its keys for a token with an unknown {@code kid}
 *                      (a key rotation is followed, a flood of made-up key ids does not reach the issuer)
 * @param keysCache     how long fetched keys are used before they are fetched again
 * @param caFile        PEM trust anchors for an HTTPS issuer, when the JVM's default ones do not cover it
 */
@EachProperty("pki.oidc.issuers")
public record OidcIssuerConfig(
        @Parameter String name,
        String issuer,
        String audience,
        @Nullable String jwksUri,
        @Bindable(defaultValue = "RS256,ES256") List<String> algorithms,
        @Bindable(defaultValue = "60s") Duration clockSkew,
        @Bindable(defaultValue = "30s") Duration keysRefresh,
        @Bindable(defaultValue = "15m") Duration keysCache,
        @Nullable String caFile)
        implements IssuerSettings {}
