package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.domain.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The audit chain's anchor outside the database.
 *
 * @param anchorFile     where the signed head is written; on this host's disk, out of the database's reach
 * @param anchorInterval how often a moved head is anchored (and at shutdown)
 * @param onRollback     what a start does when the database is behind the anchor: {@code refuse} or {@code warn}
 * @param refusalWindow  refused logins are audited together, one entry per source per window ({@link Refusals})
 * @param refusalSources at most this many sources per window get an entry of their own; the rest share one
 */
@ConfigurationProperties("pki.audit")
public record AuditConfig(
        @Bindable(defaultValue = "var/audit/anchor") String anchorFile,
        @Bindable(defaultValue = "1s") Duration anchorInterval,
        @Bindable(defaultValue = "refuse") String onRollback,
        @Bindable(defaultValue = "1m") Duration refusalWindow,
        @Bindable(defaultValue = "1000") int refusalSources) {

    public enum RollbackPolicy {
        /** The server does not start: the store lost what clients were told. */
        REFUSE,
        /** The server starts and logs the rollback as an error (after a deliberate restore, until re-anchored). */
        WARN
    }

    public AuditConfig {
        Settings.notBlank("pki.audit.anchor-file", anchorFile);
        Settings.positive("pki.audit.anchor-interval", anchorInterval);
        Settings.oneOf("pki.audit.on-rollback", onRollback, RollbackPolicy.class); // strict: a typo stops the start
        Settings.positive("pki.audit.refusal-window", refusalWindow);
        Settings.atLeast("pki.audit.refusal-sources", refusalSources, 1);
    }

    public RollbackPolicy rollbackPolicy() {
        return Settings.oneOf("pki.audit.on-rollback", onRollback, RollbackPolicy.class);
    }
}
