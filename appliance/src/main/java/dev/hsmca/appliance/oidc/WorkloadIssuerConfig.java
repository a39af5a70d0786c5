package dev.hsmca.appliance.oidc;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.List;

/**
 * An issuer of workload identities ({@code pki.workload.issuers.<name>}): a Kubernetes cluster's service-account
 * issuer, or any OIDC issuer. One of its tokens, meant for this appliance, is exchanged once ({@code jti}) for a
 * short-lived certificate whose names come from the token's subject through templates. The defaults are a
 * Kubernetes cluster's: {@code system:serviceaccount:shop:api} → service {@code shop-api}, DNS {@code api.shop.svc}
 * and {@code api.shop.svc.cluster.local}, URI {@code spiffe://cluster.local/ns/shop/sa/api}.
 *
 * @param subject    a regular expression the whole {@code sub} must match; its named groups fill the templates (by
 *                   default a service account outside {@code default} and {@code kube-*}: whoever may create a
 *                   service account in a namespace gets the DNS names of any Service name there)
 * @param service    the certificate's service, a template ({@code {namespace}-{name}})
 * @param dns        the certificate's DNS names, templates
 * @param uris       the certificate's URI names (SPIFFE IDs), templates
 * @param profile    the certificate's profile
 * @param maxValidity the longest lifetime (also the lifetime when the request names none)
 * @param maxTokenLifetime a token valid for longer than this ({@code exp - iat}) is refused: workload tokens are
 *                   short-lived, a long-lived one is a leaked credential waiting to happen
 * @see OidcIssuerConfig the fields shared with the admin API's issuers
 */
@EachProperty("pki.workload.issuers")
public record WorkloadIssuerConfig(
        @Parameter String name,
        String issuer,
        String audience,
        @Nullable String jwksUri,
        @Bindable(defaultValue = "RS256,ES256") List<String> algorithms,
        @Bindable(defaultValue = "60s") Duration clockSkew,
        @Bindable(defaultValue = "30s") Duration keysRefresh,
        @Bindable(defaultValue = "15m") Duration keysCache,
        @Nullable String caFile,

        @Bindable(
                defaultValue = "system:serviceaccount:(?!default:|kube-)(?<namespace>[a-z0-9]([-a-z0-9]*[a-z0-9])?)"
                        + ":(?<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)")
        String subject,

        @Bindable(defaultValue = "{namespace}-{name}") String service,

        @Bindable(defaultValue = "{name}.{namespace}.svc,{name}.{namespace}.svc.cluster.local")
        List<String> dns,

        @Bindable(defaultValue = "spiffe://cluster.local/ns/{namespace}/sa/{name}")
        List<String> uris,

        @Bindable(defaultValue = "tls-server-client") String profile,
        @Bindable(defaultValue = "24h") Duration maxValidity,
        @Bindable(defaultValue = "24h") Duration maxTokenLifetime)
        implements IssuerSettings {}
