package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.core.CaRole;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes CRLs after the changes they show have committed, never inside a request: a revocation returns as soon
 * as its status, pre-signed OCSP responses and audit entry are committed, and asks for a CRL here. Requests within
 * {@link CrlConfig#publishDelay()} share one publication (a burst of a thousand revocations makes one CRL), and one
 * replica at a time makes a CRL (the CRL lease, see {@link CrlService}). What is owed is read from the database, so a CRL owed
 * when a process died is published by the next check of any replica.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
public class CrlPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(CrlPublisher.class);

    private final CaHierarchy ca;
    private final CrlService crls;
    private final CrlConfig config;
    /**
     * A thread of its own, not the framework's scheduler: that one would carry the committing request's context
     * (its closed connection) into the publication.
     */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "crl-publisher");
        t.setDaemon(true);
        return t;
    });

    private final AtomicReference<ScheduledFuture<?>> pending = new AtomicReference<>();
    private final AtomicReference<ScheduledFuture<?>> pendingParts = new AtomicReference<>();
    private final PartitionCrls parts;

    public CrlPublisher(CaHierarchy ca, CrlService crls, PartitionCrls parts, CrlConfig config) {
        this.ca = ca;
        this.crls = crls;
        this.parts = parts;
        this.config = config;
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void changed(CrlChanged event) {
        if (config.onRevocation()) {
            requestParts();
            request();
        }
    }

    /** The shards and the delta within {@link CrlConfig#partitionDelay()}, sharing one run however many ask. */
    public void requestParts() {
        once(pendingParts, config.partitionDelay(), this::publishParts, "CRL shard or delta publication");
    }

    /** The issuing CA's shards and delta that are owed; when another replica is at it, looks again after the delay. */
    public List<PartitionCrls.Published> publishParts() {
        if (!ca.initialized()) {
            return List.of();
        }
        List<PartitionCrls.Published> done = parts.publishOwed();
        if (!parts.owed().isEmpty()) {
            requestParts();
        }
        return done;
    }

    /** One publication within the delay, however many requests arrive before it runs. */
    public void request() {
        once(pending, config.publishDelay(), this::publishOwed, "CRL publication");
    }

    /** {@code work} after {@code delay}, once for every request made before it starts. */
    private void once(AtomicReference<ScheduledFuture<?>> pending, Duration delay, Runnable work, String what) {
        pending.updateAndGet(f -> f != null && !f.isDone()
                ? f
                : scheduler.schedule(
                        () -> {
                            pending.set(null); // a request from now on schedules another run
                            try {
                                work.run();
                            } catch (RuntimeException e) {
                                LOG.error(what + " failed (retried at the next check)", e);
                            }
                        },
                        delay.toMillis(),
                        TimeUnit.MILLISECONDS));
    }

    /**
     * Issues each CA's CRL when one is owed (a change not on any CRL yet, or the reissue interval passed). When
     * another thread or replica is making one, looks again after the delay: that CRL may not cover our change.
     */
    public List<CrlService.Issued> publishOwed() {
        if (!ca.initialized()) {
            return List.of();
        }
        List<CrlService.Issued> issued = new ArrayList<>();
        for (CaRole role : ca.crlSigners()) {
            crls.publishIfOwed(role, "system:crl-publisher").ifPresent(issued::add);
            if (crls.owed(role)) {
                request();
            }
        }
        if (issued.stream().anyMatch(i -> i.caId().equals(ca.issuing().id()))) {
            requestParts(); // the delta is made again on the new base
        }
        return issued;
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow(); // what is owed stays recorded; the next start's check publishes it
    }
}
