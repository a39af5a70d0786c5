package dev.hsmca.appliance.hsm;

import dev.hsmca.hsm.PinSource;
import dev.hsmca.hsm.Pkcs11Token;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.util.Arrays;

/** Opens the configured token once per process; the PIN is wiped after login. */
@Factory
public class HsmFactory {

    @Singleton
    Pkcs11Token token(HsmConfig config) {
        char[] pin = PinSource.read(config.pinEnv(), Path.of(config.pinFile()));
        try {
            return Pkcs11Token.open(config.library(), config.tokenLabel(), pin);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }
}
