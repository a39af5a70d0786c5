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
 * @param partitionDelay how long after a change its shard and the delta are published (changes within it share them)
 * @param fullInterval  the least time between two full CRLs made because of changes (at a million entries one takes
 *                      seconds of HSM and database time); the delta shows the changes meanwhile. 0: after every change.
 * @param visibilityTarget the longest a revocation should take to show in a CRL: exported with the
 *                      {@code pki_revocation_visible_seconds} histogram for the alert rule
 */
@ConfigurationProperties("pki.crl")
public record CrlConfig(
        @Bindable(defaultValue = "7") int validityDays,
        @Bindable(defaultValue = "24") int reissueHours,
        @Bindable(defaultValue = "true") boolean onRevocation,
        @Bindable(defaultValue = "10s") Duration publishDelay,
        @Bindable(defaultValue = "30s") Duration checkInterval,
        @Bindable(defaultValue = "var/crl") String workDir,
        @Bindable(defaultValue = "500ms") Duration partitionDelay,
        @Bindable(defaultValue = "5m") Duration fullInterval,
        @Bindable(defaultValue = "60s") Duration visibilityTarget) {
    public CrlConfig {
        Settings.atLeast("pki.crl.validity-days", validityDays, 1);
        Settings.atLeast("pki.crl.reissue-hours", reissueHours, 1);
        Settings.positive("pki.crl.publish-delay", publishDelay);
        Settings.positive("pki.crl.check-interval", checkInterval);
        Settings.notBlank("pki.crl.work-dir", workDir);
        Settings.positive("pki.crl.partition-delay", partitionDelay);
        if (fullInterval.isNegative()) {
            throw new Settings.Invalid("pki.crl.full-interval", "must not be negative");
        }
        Settings.positive("pki.crl.visibility-target", visibilityTarget);
    }
}
