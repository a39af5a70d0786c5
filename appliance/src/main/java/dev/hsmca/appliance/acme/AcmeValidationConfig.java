package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.domain.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.List;

/**
 * How the appliance's own challenge checks may reach out ({@code pki.acme.validation}).
 *
 * @param allowPrivateAddresses TEST SWITCH: also connect to loopback, private, link-local... addresses (the tests'
 *                              servers listen on 127.0.0.1); never in production
 * @param allowedNetworks       networks (CIDR) the validator may reach although they are not public: an internal
 *                              deployment's own subnets, say {@code 10.20.0.0/16}; empty by default
 * @param deadline              the most one validation may take, all lookups, connections and reads together
 * @param threads               validations running at once, over all accounts
 * @param runningPerAccount     validations of one account running at once: one account cannot take every thread
 * @param queuedPerAccount      validations of one account waiting for a thread; more are deferred
 * @param queuedTotal           validations waiting, over all accounts; more are deferred
 * @param resumeInterval        how often challenges left {@code processing} (deferred, or by a replica that stopped)
 *                              are looked for and validated
 */
@ConfigurationProperties("pki.acme.validation")
public record AcmeValidationConfig(
        @Bindable(defaultValue = "false") boolean allowPrivateAddresses,
        @Nullable List<String> allowedNetworks,
        @Bindable(defaultValue = "30s") Duration deadline,
        @Bindable(defaultValue = "8") int threads,
        @Bindable(defaultValue = "2") int runningPerAccount,
        @Bindable(defaultValue = "50") int queuedPerAccount,
        @Bindable(defaultValue = "1000") int queuedTotal,
        @Bindable(defaultValue = "30s") Duration resumeInterval) {
    public AcmeValidationConfig {
        allowedNetworks = allowedNetworks == null ? List.of() : List.copyOf(allowedNetworks);
        Settings.positive("pki.acme.validation.deadline", deadline);
        Settings.atLeast("pki.acme.validation.threads", threads, 1);
        Settings.atLeast("pki.acme.validation.running-per-account", runningPerAccount, 1);
        Settings.atLeast("pki.acme.validation.queued-per-account", queuedPerAccount, 0);
        Settings.atLeast("pki.acme.validation.queued-total", queuedTotal, 0);
        Settings.positive("pki.acme.validation.resume-interval", resumeInterval);
        AddressPolicy.networks("pki.acme.validation.allowed-networks", allowedNetworks); // a typo stops the start
    }

    /** The production defaults, with the test switch as given (for tests that build a validator by hand). */
    static AcmeValidationConfig defaults(boolean allowPrivateAddresses, Duration deadline) {
        return new AcmeValidationConfig(
                allowPrivateAddresses, List.of(), deadline, 8, 2, 50, 1000, Duration.ofSeconds(30));
    }
}
