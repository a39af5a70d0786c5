package dev.hsmca.appliance.oidc;

import java.time.Duration;
import java.util.List;

/** What both kinds of trusted issuer configure about the issuer itself (see {@link OidcIssuerConfig}). */
interface IssuerSettings {
    String name();

    String issuer();

    String audience();

    String jwksUri();

    List<String> algorithms();

    Duration clockSkew();

    Duration keysRefresh();

    Duration keysCache();

    String caFile();
}
