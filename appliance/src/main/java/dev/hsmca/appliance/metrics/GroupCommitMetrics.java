package dev.hsmca.appliance.metrics;

import dev.hsmca.appliance.store.GroupCommit;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;

/**
 * How issuance shares commits: {@code rate(pki_group_commit_writes_total) / rate(pki_group_commits_total)} is the mean
 * batch size (1 when requests come one at a time; toward 64 under load), and a queue that stays long means the
 * store's commits, not the HSM, bound issuance.
 */
@Context
@Requires(notEnv = Environment.CLI) // a command has no batches to show, and no scrape
@Requires(beans = MeterRegistry.class)
public class GroupCommitMetrics {
    public GroupCommitMetrics(GroupCommit group, MeterRegistry registry) {
        FunctionCounter.builder("pki.group.commits", group, GroupCommit::commits)
                .description("Transactions the group committer committed (API issuance)")
                .register(registry);
        FunctionCounter.builder("pki.group.commit.writes", group, GroupCommit::committedWrites)
                .description("Writes in the committed group transactions")
                .register(registry);
        Gauge.builder("pki.group.commit.queued", group, GroupCommit::queued)
                .description("Writes waiting for the next group commit")
                .register(registry);
        FunctionCounter.builder("pki.group.commit.timeouts", group, GroupCommit::timeouts)
                .description("Writes whose caller stopped waiting for the group commit (503 store_unavailable)")
                .register(registry);
        FunctionCounter.builder("pki.group.commit.late", group, GroupCommit::lateCommits)
                .description("Writes stored after their caller had stopped waiting (told they may have been stored)")
                .register(registry);
    }
}
