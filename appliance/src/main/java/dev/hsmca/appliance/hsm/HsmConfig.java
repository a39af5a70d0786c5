package dev.hsmca.appliance.hsm;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Where the CA's keys live. The PIN comes from {@code pinEnv} or {@code pinFile}, never from this file.
 *
 * @param library    PKCS#11 module (SoftHSM2 by default, a vendor library in production)
 * @param tokenLabel label of the token; its slot id is looked up at start-up
 * @param pinFile    a 0600 file holding the user PIN
 * @param pinEnv     environment variable that, when set, holds the PIN instead
 */
@ConfigurationProperties("pki.hsm")
public record HsmConfig(
        @Bindable(defaultValue = "/usr/lib/softhsm/libsofthsm2.so") String library,
        @Bindable(defaultValue = "pki-ca") String tokenLabel,
        @Bindable(defaultValue = "var/hsm/pki-ca.pin") String pinFile,
        @Bindable(defaultValue = "PKI_HSM_PIN") String pinEnv) {
}
