package dev.hsmca.appliance.metrics;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.hsm.HsmProbe;
import dev.hsmca.hsm.Pkcs11Token;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every few seconds, a real signature through the token with the issuing key: {@code pki_hsm_up}. */
@Singleton
@Requires(notEnv = Environment.CLI)
public class HsmProbeJob {
    private static final Logger LOG = LoggerFactory.getLogger(HsmProbeJob.class);

    private final CaHierarchy ca;
    private final PkiMetrics metrics;
    private volatile boolean lastUp = true;

    public HsmProbeJob(CaHierarchy ca, PkiMetrics metrics, Pkcs11Token token) {
        this.ca = ca;
        this.metrics = metrics;
        token.observer((alias, nanos, ok) -> metrics.hsmSigned(alias, nanos, ok));
    }

    @EventListener
    void started(StartupEvent event) {
        probe();
    }

    @Scheduled(fixedDelay = "${pki.hsm.probe-interval:10s}")
    public boolean probe() {
        boolean up;
        try {
            HsmProbe.Result r = HsmProbe.probe(ca.issuing().key());
            up = r.up();
            if (!up) {
                metrics.hsmError("probe");
            }
        } catch (RuntimeException e) {
            up = false;
            metrics.hsmError("probe");
        }
        if (up != lastUp) {
            LOG.warn("HSM is {}", up ? "up again" : "DOWN");
        }
        lastUp = up;
        metrics.hsmUp(up);
        return up;
    }
}
