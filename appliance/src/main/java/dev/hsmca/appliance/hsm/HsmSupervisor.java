package dev.hsmca.appliance.hsm;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.hsm.HsmProbe;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.server.HsmSettings;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the HSM's health on this replica (each has its own session): every few seconds a real signature with the
 * issuing key ({@code pki_hsm_up}); when it fails, a new login (the PIN read again, wiped after) and the keys
 * reloaded, so the appliance recovers by itself when the HSM comes back. {@code /health} reads the same result.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
public class HsmSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(HsmSupervisor.class);

    private record Probe(boolean up, Instant at) {}

    private final KeyBackend keys;
    private final CaHierarchy ca;
    private final PkiMetrics metrics;
    private final HsmSettings config;
    private final Clock clock;
    private volatile Probe last;

    public HsmSupervisor(KeyBackend keys, CaHierarchy ca, PkiMetrics metrics, HsmSettings config, Clock clock) {
        this.keys = keys;
        this.ca = ca;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
    }

    /** Whether the HSM signs, from a probe at most {@code maxAge} old (probing now if the last one is older). */
    public boolean up(Duration maxAge) {
        Probe p = last;
        if (p != null && Duration.between(p.at(), clock.instant()).compareTo(maxAge) < 0) {
            return p.up();
        }
        return probe();
    }

    @Scheduled(fixedDelay = "${pki.hsm.probe-interval:10s}", initialDelay = "1s")
    public synchronized boolean probe() {
        boolean up = once();
        if (!up) {
            // The token may be back with new handles (HSM restart): log in again, reload the keys, retry.
            try {
                config.usePin(keys::reconnect);
                ca.reload();
                up = once();
            } catch (RuntimeException e) {
                metrics.hsmError("reconnect");
            }
        }
        Probe previous = last;
        if (previous != null && previous.up() != up) {
            LOG.warn("HSM is {}", up ? "up again" : "DOWN");
        }
        last = new Probe(up, clock.instant());
        metrics.hsmUp(up);
        return up;
    }

    private boolean once() {
        try {
            HsmProbe.Result r = HsmProbe.probe(ca.issuing().key());
            if (!r.up()) {
                metrics.hsmError("probe");
                LOG.debug("HSM probe failed: {}", r.error());
            }
            return r.up();
        } catch (RuntimeException e) {
            metrics.hsmError("probe");
            return false;
        }
    }
}
