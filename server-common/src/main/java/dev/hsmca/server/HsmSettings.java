package dev.hsmca.server;

import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.KeyBackendFactory;
import dev.hsmca.hsm.PinSource;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where the CA's keys live, for both servers. The PIN comes from {@code pinEnv} or {@code pinFile}, never from
 * configuration, and is wiped right after use.
 *
 * @param enabled    the OCSP responder signs live only when it is given the HSM; the appliance always is
 * @param type       the key backend ({@code pkcs11}: the JDK's SunPKCS11); see {@link KeyBackendFactory}
 * @param library    PKCS#11 module (SoftHSM2 by default, a vendor library in production)
 * @param tokenLabel label of the token; its slot id is looked up at start-up
 * @param pinFile    a 0600 file holding the user PIN
 * @param pinEnv     environment variable that, when set, holds the PIN instead
 * @param configTemplate a SunPKCS11 configuration template for this HSM ({@code hsm-config/sunpkcs11/}); unset:
 *                   the built-in one
 */
@ConfigurationProperties("pki.hsm")
public record HsmSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "pkcs11") String type,

        @Bindable(defaultValue = "/usr/lib/softhsm/libsofthsm2.so")
        String library,

        @Bindable(defaultValue = "pki-ca") String tokenLabel,
        @Bindable(defaultValue = "var/hsm/pki-ca.pin") String pinFile,
        @Bindable(defaultValue = "PKI_HSM_PIN") String pinEnv,
        @Nullable String configTemplate) {

    public HsmSettings {
        if (type == null || type.isBlank() || tokenLabel == null || tokenLabel.isBlank()) {
            throw new IllegalArgumentException("invalid setting pki.hsm: type and token-label must not be empty");
        }
    }

    /** Opens the configured backend and logs in. */
    public KeyBackend open() {
        return withPin(pin -> KeyBackendFactory.of(type)
                .open(new KeyBackendFactory.Settings(library, tokenLabel, configTemplate), pin));
    }

    /** Reads the PIN, hands it over, and wipes it whatever happens. */
    public <T> T withPin(Function<char[], T> use) {
        char[] pin = PinSource.read(pinEnv, Path.of(pinFile));
        try {
            return use.apply(pin);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    public void usePin(Consumer<char[]> use) {
        withPin(pin -> {
            use.accept(pin);
            return null;
        });
    }
}
