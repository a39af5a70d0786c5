package dev.hsmca.appliance.audit;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In the server: writes the aggregated refusal entries every {@code pki.audit.refusal-window} and at shutdown.
 * Made at start, so the refusal counters exist from the first scrape.
 */
@Context
@Requires(notEnv = {Environment.CLI, Environment.TEST})
public class RefusalFlushJob {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalFlushJob.class);

    private final Refusals refusals;

    public RefusalFlushJob(Refusals refusals) {
        this.refusals = refusals;
    }

    @Scheduled(fixedDelay = "${pki.audit.refusal-window:1m}", initialDelay = "${pki.audit.refusal-window:1m}")
    void flush() {
        try {
            refusals.flush();
        } catch (RuntimeException e) {
            // that window's counts are lost to the audit log (they are in the metric); the next window is written
            LOG.warn("could not write the refused-login audit entries: {}", e.toString());
        }
    }

    @PreDestroy
    void flushAtShutdown() {
        flush();
    }
}
