package dev.hsmca.appliance.crl;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * CRL issuance.
 *
 * @param validityDays  nextUpdate - thisUpdate
 * @param reissueHours  a new CRL is issued when the latest is this old
 * @param onRevocation  issue a new CRL at once after each revocation
 * @param workDir       where CRLs are written before they are stored
 */
@ConfigurationProperties("pki.crl")
public record CrlConfig(@Bindable(defaultValue = "7") int validityDays,
                        @Bindable(defaultValue = "24") int reissueHours,
                        @Bindable(defaultValue = "true") boolean onRevocation,
                        @Bindable(defaultValue = "var/crl") String workDir) {
}
