package dev.hsmca.appliance.health;

import dev.hsmca.appliance.hsm.HsmSupervisor;
import dev.hsmca.appliance.store.CaCertificateRepository;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HSM (the supervisor's probe: a real signature with the issuing key, verified) and the store (a count of CA
 * certificates). Results are cached briefly so that a flood of health requests cannot keep the HSM busy.
 */
@Singleton
public class HealthCheck {
    private static final Logger LOG = LoggerFactory.getLogger(HealthCheck.class);
    static final Duration CACHE = Duration.ofSeconds(2);

    public record Result(boolean hsmUp, boolean storeUp, Instant checkedAt) {
        public boolean up() {
            return hsmUp && storeUp;
        }
    }

    private final Provider<HsmSupervisor> supervisor;
    private final CaCertificateRepository store;
    private final Clock clock;
    private volatile Result last;

    public HealthCheck(Provider<HsmSupervisor> supervisor, CaCertificateRepository store, Clock clock) {
        this.supervisor = supervisor;
        this.store = store;
        this.clock = clock;
    }

    public Result current() {
        Result r = last;
        Instant now = clock.instant();
        if (r != null && Duration.between(r.checkedAt(), now).compareTo(CACHE) < 0) {
            return r;
        }
        synchronized (this) {
            if (last != null && Duration.between(last.checkedAt(), now).compareTo(CACHE) < 0) {
                return last;
            }
            last = new Result(hsm(), store(), now);
            return last;
        }
    }

    private boolean hsm() {
        return supervisor.get().up(CACHE);
    }

    private boolean store() {
        try {
            return store.count() > 0;
        } catch (RuntimeException e) {
            LOG.warn("store probe failed: {}", e.toString());
            return false;
        }
    }
}
