package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.domain.Settings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * ACME (RFC 8555) on the appliance.
 *
 * @param eabRequired           new accounts need an External Account Binding (the default; off only for tests)
 * @param defaultProfile        the profile of accounts without a binding (when bindings are not required)
 * @param validityDays          lifetime of ACME certificates (capped by the profile)
 * @param ordersPerHour         orders one account may create in an hour
 * @param pendingAuthorizations pending authorizations one account may hold
 * @param orderLifetime         how long an order may wait for validation and finalization
 * @param http01Port            TEST SWITCH: the port the http-01 validator dials instead of 80
 * @param tlsalpn01Port         TEST SWITCH: the port the tls-alpn-01 validator dials instead of 443
 * @param resolve               TEST SWITCH: static names for the validators, {@code *.acme.test=127.0.0.1,a.b=10.0.0.1}
 * @param dnsServer             TEST SWITCH: the resolver dns-01 asks ({@code host:port}) instead of the system's
 */
@ConfigurationProperties("pki.acme")
public record AcmeConfig(
        @Bindable(defaultValue = "true") boolean eabRequired,
        @Bindable(defaultValue = "tls-server") String defaultProfile,
        @Bindable(defaultValue = "90") int validityDays,
        @Bindable(defaultValue = "300") int ordersPerHour,
        @Bindable(defaultValue = "1000") int pendingAuthorizations,
        @Bindable(defaultValue = "24h") Duration orderLifetime,
        @Bindable(defaultValue = "80") int http01Port,
        @Bindable(defaultValue = "443") int tlsalpn01Port,
        @Nullable String resolve,
        @Nullable String dnsServer) {
    public AcmeConfig {
        Settings.atLeast("pki.acme.validity-days", validityDays, 1);
        Settings.atLeast("pki.acme.orders-per-hour", ordersPerHour, 1);
        Settings.atLeast("pki.acme.pending-authorizations", pendingAuthorizations, 1);
        Settings.positive("pki.acme.order-lifetime", orderLifetime);
        Settings.atLeast("pki.acme.http01-port", http01Port, 1);
        Settings.atLeast("pki.acme.tlsalpn01-port", tlsalpn01Port, 1);
    }
}
