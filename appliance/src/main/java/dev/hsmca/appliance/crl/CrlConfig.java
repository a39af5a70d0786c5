package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.domain.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * CRL issuance.
 *
 * @param validityDays  nextUpdate - thisUpdate
 * @param reissueHours  a new CRL is issued when the latest is this old
 * @param onRevocation  publish a new CRL soon after revocations (else only the periodic check does)
 * @param publishDelay  how long after a revocation commits its CRL is published: revocations within it share one CRL
 * @param checkInterval how often every replica checks whether a CRL is owed (after a crash, or a peer's revocation)
 * @param workDir       where CRLs are written before they are stored
 */
@ConfigurationProperties("pki.crl")
public record CrlConfig(
        @Bindable(defaultValue = "7") int validityDays,
        @Bindable(defaultValue = "24") int reissueHours,
        @Bindable(defaultValue = "true") boolean onRevocation,
        @Bindable(defaultValue = "10s") Duration publishDelay,
        @Bindable(defaultValue = "30s") Duration checkInterval,
        @Bindable(defaultValue = "var/crl") String workDir) {
    public CrlConfig {
        Settings.atLeast("pki.crl.validity-days", validityDays, 1);
        Settings.atLeast("pki.crl.reissue-hours", reissueHours, 1);
        Settings.positive("pki.crl.publish-delay", publishDelay);
        Settings.positive("pki.crl.check-interval", checkInterval);
        Settings.notBlank("pki.crl.work-dir", workDir);
    }
}
