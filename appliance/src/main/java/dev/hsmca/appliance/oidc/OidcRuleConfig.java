package dev.hsmca.appliance.oidc;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * What a token of an issuer may do when one of its claims has a value ({@code pki.oidc.rules.<name>}): a group, a
 * role or a client id mapped to permissions. A token gets the union of the rules it matches, and nothing without one.
 *
 * @param name     the rule's name, in the audit trail
 * @param issuer   the {@link OidcIssuerConfig#name() issuer's name}
 * @param claim    the claim read: a string or a list of strings ({@code groups}, {@code azp}, {@code client_id});
 *                 a dotted path reads into objects ({@code realm_access.roles})
 * @param value    the value (or one of the values) the claim must have
 * @param grants   {@code admin}, {@code install-tokens}, {@code enroll-keys}
 * @param services for install tokens and enrollment keys: the services they may be created for, exactly or with
 *                 {@code *} for any run of characters ({@code agent-*})
 * @param dns      for install tokens and enrollment keys: the DNS names they may allow, exact or {@code *.domain}
 *                 (none by default: an agent's client name {@code agent-<service>} needs none)
 */
@EachProperty("pki.oidc.rules")
public record OidcRuleConfig(
        @Parameter String name,
        String issuer,
        String claim,
        String value,
        List<String> grants,
        @Bindable(defaultValue = "") List<String> services,
        @Bindable(defaultValue = "") List<String> dns) {}
