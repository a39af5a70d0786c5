package dev.hsmca.appliance.setup;

import dev.hsmca.core.CaRole;

import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.store.CaCertificateRepository;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.IssuancePipeline;
import dev.hsmca.appliance.issuance.RegistrationAuthority;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.annotation.Transactional;
import dev.hsmca.appliance.jobs.Job;
import dev.hsmca.appliance.jobs.JobLocks;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Renews the appliance's own HTTPS certificate before it expires: a new key in the HSM (a new alias, never
 * rewriting an entry), a certificate from the issuing CA, then the hierarchy is reloaded. The TLS key manager
 * reads the identity on each handshake, so new connections get the new certificate without a restart.
 */
@Singleton
@Requires(notEnv = Environment.CLI)
public class TlsRenewal {
    private static final Logger LOG = LoggerFactory.getLogger(TlsRenewal.class);
    private static final String ACTOR = "system:tls-renewal";

    private final CaHierarchy ca;
    private final KeyBackend token;
    private final CaInitializer records;
    private final CaCertificateRepository caRepository;
    private final RegistrationAuthority ra;
    private final CaConfig config;
    private final AuditLog audit;
    private final Clock clock;
    private final JobLocks locks;
    private final Duration renewBefore;

    public TlsRenewal(CaHierarchy ca, KeyBackend token, CaInitializer records, CaCertificateRepository caRepository,
                      RegistrationAuthority ra, CaConfig config,
                      AuditLog audit, Clock clock, JobLocks locks, TlsConfig tls) {
        this.ca = ca;
        this.token = token;
        this.records = records;
        this.caRepository = caRepository;
        this.ra = ra;
        this.config = config;
        this.audit = audit;
        this.clock = clock;
        this.locks = locks;
        this.renewBefore = Duration.ofDays(tls.renewBeforeDays());
    }

    @Scheduled(fixedDelay = "${pki.tls.check-interval:1h}", initialDelay = "${pki.jobs.initial-delay:20s}")
    void scheduled() {
        try {
            ca.refreshIfChanged(); // a peer replica may have renewed: serve its certificate too
            locks.runExclusively(Job.TLS_RENEWAL, Duration.ofMinutes(10), this::renewIfDue);
        } catch (RuntimeException e) {
            LOG.error("TLS certificate renewal failed: {}", e.toString());
        }
    }

    /** Renews when the current certificate expires within the threshold; true when it did. */
    public synchronized boolean renewIfDue() {
        ca.refreshIfChanged();
        if (!ca.initialized()) {
            return false;
        }
        CaHierarchy.Member current = ca.member(CaRole.TLS);
        Instant now = clock.instant();
        if (current.record().notAfter().isAfter(now.plus(renewBefore))) {
            return false;
        }
        long start = System.nanoTime();
        X509Certificate old = current.certificate();
        String alias = "tls-" + now.getEpochSecond();
        List<String> dns = names(old, 2);
        List<String> ips = names(old, 7);
        Entitlement grant = Entitlement.system(ACTOR, "appliance", "tls-server", dns, ips, Set.of(),
                Duration.ofDays(config.tlsValidityDays()));
        CertificateAsk ask = new CertificateAsk(null, dns, ips, List.of(), null, null, null, CertificateAsk.Identity.REQUESTED);
        IssuancePipeline.Signed[] signed = new IssuancePipeline.Signed[1];
        token.generate(alias, KeyAlgorithm.EC_P256, pair -> {
            signed[0] = ra.approve(grant, pair.getPublic(), ask);
            return signed[0].certificate();
        });
        X509Certificate renewed = token.certificate(alias);
        switchIdentity(current, renewed, signed[0], alias, start);
        ca.reload();
        LOG.info("renewed the appliance TLS certificate: {} (key '{}'), valid to {}",
                renewed.getSerialNumber().toString(16), alias, renewed.getNotAfter().toInstant());
        return true;
    }

    /**
     * The new identity replaces the old in one transaction: there is never a moment without an active TLS row,
     * and never two (the schema allows one active row per role).
     */
    @Transactional
    protected void switchIdentity(CaHierarchy.Member current, X509Certificate renewed, IssuancePipeline.Signed signed,
                                  String alias, long start) {
        caRepository.deactivate(current.id());
        records.save(CaRole.TLS, renewed, ca.issuing().id(), KeyAlgorithm.EC_P256.id(), alias);
        ra.record(IssuanceCommand.Channel.TLS_RENEWAL, ACTOR, signed, current.record().serial(), start);
        audit.record(ACTOR, "tls.renew", "certificate:" + renewed.getSerialNumber().toString(16),
                AuditLog.OK, "replaces=" + current.record().serial() + " alias=" + alias);
    }

    /** The old certificate's SANs of one type (2 DNS, 7 IP), canonical: the renewed one keeps them. */
    private static List<String> names(X509Certificate c, int type) {
        try {
            var all = c.getSubjectAlternativeNames();
            if (all == null) {
                return List.of();
            }
            return all.stream().filter(n -> (Integer) n.get(0) == type).map(n -> (String) n.get(1))
                    .map(n -> type == 7 ? dev.hsmca.appliance.domain.Names.ipAddress(n) : n).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
    }
}
