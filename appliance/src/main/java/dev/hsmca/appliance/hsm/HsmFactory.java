package dev.hsmca.appliance.hsm;

import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.server.HsmSettings;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Opens the configured key backend ({@code pki.hsm.type}) once per process, every signature reported to the metrics. */
@Factory
public class HsmFactory {

    @Singleton
    KeyBackend keys(HsmSettings settings, PkiMetrics metrics) {
        KeyBackend backend = settings.open();
        backend.observer(metrics::hsmSigned);
        return backend;
    }
}
