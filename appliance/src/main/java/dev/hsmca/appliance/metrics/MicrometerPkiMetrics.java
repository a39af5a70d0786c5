package dev.hsmca.appliance.metrics;

import dev.hsmca.appliance.domain.PkiMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link PkiMetrics} as Prometheus series (base units, bounded labels). Micrometer appends the unit and
 * {@code _total} suffixes, so {@code pki.hsm.sign} with a timer becomes {@code pki_hsm_sign_seconds}.
 */
@Singleton
public class MicrometerPkiMetrics implements PkiMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger hsmUp = new AtomicInteger(0);
    private final AtomicLong clientCertMinExpiry = new AtomicLong(0);

    public MicrometerPkiMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("pki.hsm.up", hsmUp, AtomicInteger::get)
                .description("1 when a probe signature through the HSM verified, else 0")
                .register(registry);
        Gauge.builder("pki.tls.client.certificate.min.expiry.timestamp", clientCertMinExpiry, AtomicLong::get)
                .baseUnit("seconds")
                .description("Earliest notAfter among client certificates seen in mTLS handshakes since start")
                .register(registry);
    }

    @Override
    public void issued(String profile, long nanos) {
        Counter.builder("pki.certificates.issued")
                .tag("profile", profile)
                .description("Certificates issued")
                .register(registry)
                .increment();
        Timer.builder("pki.issuance")
                .description("Issuance latency, request to stored certificate")
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    @Override
    public void issuanceFailed(String reason) {
        Counter.builder("pki.issuance.errors")
                .tag("reason", reason)
                .description("Refused or failed issuance requests by error code")
                .register(registry)
                .increment();
    }

    @Override
    public void lintFailed() {
        Counter.builder("pki.lint.failures")
                .description("Certificates that failed lint against their profile and were not signed")
                .register(registry)
                .increment();
    }

    @Override
    public void acmeOrder(String outcome) {
        Counter.builder("pki.acme.orders")
                .tag("outcome", outcome)
                .description("ACME orders by outcome")
                .register(registry)
                .increment();
    }

    @Override
    public void acmeValidation(String type, boolean valid) {
        Counter.builder("pki.acme.validations")
                .tag("type", type)
                .tag("outcome", valid ? "valid" : "invalid")
                .description("ACME challenges validated by the appliance")
                .register(registry)
                .increment();
    }

    @Override
    public void acmeFinalized(long nanos, boolean issued) {
        Timer.builder("pki.acme.finalize")
                .tag("outcome", issued ? "issued" : "refused")
                .description("ACME finalize latency, request to stored certificate")
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    @Override
    public void revoked(String reason) {
        Counter.builder("pki.revocations")
                .tag("reason", reason)
                .description("Revocations")
                .register(registry)
                .increment();
    }

    @Override
    public void tokenUsed(String outcome) {
        Counter.builder("pki.install.tokens.used")
                .tag("outcome", outcome)
                .description("Install token presentations by outcome")
                .register(registry)
                .increment();
    }

    @Override
    public void hsmSigned(String key, long nanos, boolean ok) {
        Timer.builder("pki.hsm.sign")
                .tag("key", key)
                .description("HSM signature latency")
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(nanos));
        if (!ok) {
            hsmError("sign");
        }
    }

    @Override
    public void hsmError(String operation) {
        Counter.builder("pki.hsm.errors")
                .tag("operation", operation)
                .description("HSM operations that failed")
                .register(registry)
                .increment();
    }

    @Override
    public void hsmUp(boolean up) {
        hsmUp.set(up ? 1 : 0);
    }

    @Override
    public void tlsHandshake(String protocol, String cipher, long nanos) {
        Counter.builder("pki.tls.handshakes")
                .tag("protocol", protocol)
                .tag("cipher", cipher)
                .tag("outcome", "success")
                .description("TLS handshakes")
                .register(registry)
                .increment();
        Timer.builder("pki.tls.handshake")
                .description("TLS handshake duration")
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    @Override
    public void tlsHandshakeFailed(String reason, long nanos) {
        Counter.builder("pki.tls.handshakes")
                .tag("protocol", "none")
                .tag("cipher", "none")
                .tag("outcome", "failure")
                .description("TLS handshakes")
                .register(registry)
                .increment();
        Counter.builder("pki.tls.handshake.failures")
                .tag("reason", reason)
                .description("Failed TLS handshakes by reason")
                .register(registry)
                .increment();
    }

    @Override
    public void clientCertificateSeen(String subject, Instant notAfter) {
        long seconds = notAfter.getEpochSecond();
        clientCertMinExpiry.accumulateAndGet(seconds, (old, now) -> old == 0 ? now : Math.min(old, now));
    }
}
