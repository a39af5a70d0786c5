package dev.hsmca.ocsp;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** The HSM, for live signing only; a pre-signed-only responder runs with {@code enabled: false} and no key. */
@ConfigurationProperties("pki.hsm")
public record HsmConfig(@Bindable(defaultValue = "false") boolean enabled,
                        @Bindable(defaultValue = "/usr/lib/softhsm/libsofthsm2.so") String library,
                        @Bindable(defaultValue = "pki-ca") String tokenLabel,
                        @Bindable(defaultValue = "var/hsm/pki-ca.pin") String pinFile,
                        @Bindable(defaultValue = "PKI_HSM_PIN") String pinEnv) {
}
