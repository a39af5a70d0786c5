package dev.hsmca.appliance.ca;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Public URLs written into certificates (served by the OCSP responder).
 *
 * @param ocsp          AIA OCSP responder URL
 * @param crlBase       CRL distribution point base: {@code <crlBase>/<ca>.crl} (full), {@code <crlBase>/<ca>/<n>.crl}
 *                      (shard n), {@code <crlBase>/<ca>/delta.crl} (the full CRL's delta)
 * @param caIssuersBase AIA caIssuers base: {@code <caIssuersBase>/<ca>.crt}
 */
@ConfigurationProperties("pki.urls")
public record UrlConfig(
        @Bindable(defaultValue = "http://localhost:8081") String ocsp,

        @Bindable(defaultValue = "http://localhost:8081/crl")
        String crlBase,

        @Bindable(defaultValue = "http://localhost:8081/ca") String caIssuersBase) {

    public String crl(String ca) {
        return crlBase + "/" + ca + ".crl";
    }

    public String crlShard(String ca, int shard) {
        return crlBase + "/" + ca + "/" + shard + ".crl";
    }

    public String crlDelta(String ca) {
        return crlBase + "/" + ca + "/delta.crl";
    }

    public String caIssuers(String ca) {
        return caIssuersBase + "/" + ca + ".crt";
    }
}
