package dev.hsmca.appliance.metrics;

import dev.hsmca.appliance.domain.PkiMetrics;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.hsm.HsmConfig;
import dev.hsmca.hsm.HsmProbe;
import dev.hsmca.hsm.PinSource;
import dev.hsmca.hsm.Pkcs11Token;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Every few seconds, a real signature through the token with the issuing key: {@code pki_hsm_up}. When it fails
 * the token is logged into again and the keys reloaded, so the appliance recovers when the HSM comes back.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
public class HsmProbeJob {
    private static final Logger LOG = LoggerFactory.getLogger(HsmProbeJob.class);

    private final CaHierarchy ca;
    private final PkiMetrics metrics;
    private final Pkcs11Token token;
    private final HsmConfig config;
    private volatile boolean lastUp = true;

    public HsmProbeJob(CaHierarchy ca, PkiMetrics metrics, Pkcs11Token token, HsmConfig config) {
        this.ca = ca;
        this.metrics = metrics;
        this.token = token;
        this.config = config;
        token.observer((alias, nanos, ok) -> metrics.hsmSigned(alias, nanos, ok));
    }

    @Scheduled(fixedDelay = "${pki.hsm.probe-interval:10s}", initialDelay = "1s")
    public boolean probe() {
        boolean up = once();
        if (!up) {
            // The token may be back with new handles (HSM restart): log in again, reload the keys, retry.
            try {
                char[] pin = PinSource.read(config.pinEnv(), Path.of(config.pinFile()));
                try {
                    token.reconnect(pin);
                } finally {
                    Arrays.fill(pin, '\0');
                }
                ca.reload();
                up = once();
            } catch (RuntimeException e) {
                metrics.hsmError("reconnect");
            }
        }
        if (up != lastUp) {
            LOG.warn("HSM is {}", up ? "up again" : "DOWN");
        }
        lastUp = up;
        metrics.hsmUp(up);
        return up;
    }

    private boolean once() {
        try {
            HsmProbe.Result r = HsmProbe.probe(ca.issuing().key());
            if (!r.up()) {
                metrics.hsmError("probe");
            }
            return r.up();
        } catch (RuntimeException e) {
            metrics.hsmError("probe");
            return false;
        }
    }
}
