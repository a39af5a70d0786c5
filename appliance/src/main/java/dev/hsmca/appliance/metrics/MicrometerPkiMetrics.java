package dev.hsmca.appliance.metrics;

import dev.hsmca.appliance.domain.CrlKind;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.core.CaRole;
import dev.hsmca.core.RevocationReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    private final AtomicLong visibilityTargetMillis = new AtomicLong(0);

    public MicrometerPkiMetrics(MeterRegistry registry, Profiles profiles) {
        this.registry = registry;
        registerAtZero(profiles);
        Gauge.builder("pki.hsm.up", hsmUp, AtomicInteger::get)
                .description("1 when a probe signature through the HSM verified, else 0")
                .register(registry);
        Gauge.builder("pki.tls.client.certificate.min.expiry.timestamp", clientCertMinExpiry, AtomicLong::get)
                .baseUnit("seconds")
                .description("Earliest notAfter among client certificates seen in mTLS handshakes since start")
                .register(registry);
        Gauge.builder("pki.revocation.visibility.target", visibilityTargetMillis, v -> v.get() / 1000.0)
                .baseUnit("seconds")
                .description("The longest a revocation should take to show in a CRL (pki.crl.visibility-target)")
                .register(registry);
    }

    /**
     * The counters whose labels are known at start, at 0, so {@code rate()} and {@code increase()} work from the first
     * scrape rather than from the first event of each kind.
     */
    private void registerAtZero(Profiles profiles) {
        profiles.names().forEach(this::issuedCounter);
        for (RevocationReason reason : RevocationReason.values()) {
            if (reason != RevocationReason.REMOVE_FROM_CRL) {
                revokedCounter(reason.text());
            }
        }
        for (CaRole role : List.of(CaRole.ISSUING, CaRole.ROOT)) {
            for (CrlKind kind : CrlKind.values()) {
                crlCounter(role.alias(), kind);
            }
        }
    }

    private Counter issuedCounter(String profile) {
        return Counter.builder("pki.certificates.issued")
                .tag("profile", profile)
                .description("Certificates issued")
                .register(registry);
    }

    private Counter revokedCounter(String reason) {
        return Counter.builder("pki.revocations")
                .tag("reason", reason)
                .description("Revocations")
                .register(registry);
    }

    private Counter crlCounter(String ca, CrlKind kind) {
        return Counter.builder("pki.crl.publications")
                .tag("ca", ca)
                .tag("kind", kind.tag())
                .description("CRLs stored for the responder, by CA and kind (full, shard, delta)")
                .register(registry);
    }

    @Override
    public void issued(String profile, long nanos) {
        issuedCounter(profile).increment();
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
        revokedCounter(reason).increment();
    }

    @Override
    public void crlPublished(String ca, CrlKind kind) {
        crlCounter(ca, kind).increment();
    }

    @Override
    public void revocationVisibilityTarget(Duration target) {
        visibilityTargetMillis.set(target.toMillis());
    }

    @Override
    public void revocationVisible(String via, Duration delay) {
        Timer.builder("pki.revocation.visible")
                .tag("via", via)
                .description("From a status change's commit to the first CRL of this kind that shows it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry)
                .record(delay);
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
