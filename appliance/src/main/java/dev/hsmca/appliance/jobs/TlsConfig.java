package dev.hsmca.appliance.jobs;

import dev.hsmca.appliance.domain.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The appliance's own HTTPS certificate.
 *
 * @param renewBeforeDays renew it this many days before it expires
 */
@ConfigurationProperties("pki.tls")
public record TlsConfig(@Bindable(defaultValue = "30") int renewBeforeDays) {
    public TlsConfig {
        Settings.atLeast("pki.tls.renew-before-days", renewBeforeDays, 1);
    }
}
