package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.audit.AuditGuard;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.domain.Validity;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.policy.Decision;
import dev.hsmca.appliance.policy.PolicyAuthority;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.GroupCommit;
import dev.hsmca.appliance.x509.Pem;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registration authority (Boulder's RA): the one entry point of every issuance, whoever asks — the REST API, a
 * renewal, ACME, the appliance's own TLS certificate, {@code ca init}'s credentials. It owns the sequence: the audit
 * guard (503 {@code audit_rollback} once the store went back under us) → CSR check
 * → the {@link PolicyAuthority}'s decision → lint and sign ({@link IssuancePipeline}, no connection held) → one
 * write (the front end's claim, the certificate, its OCSP responses, the audit entry) committed before anyone is
 * answered → metrics. Front ends only translate their wire format into an {@link IssuanceCommand}.
 */
@Singleton
public class RegistrationAuthority {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationAuthority.class);

    private final CsrInspector inspector;
    private final PolicyAuthority policy;
    private final IssuancePipeline pipeline;
    private final CaHierarchy ca;
    private final AuditLog audit;
    private final AuditGuard auditGuard;
    private final PkiMetrics metrics;
    private final TransactionOperations<Connection> transactions;
    private final GroupCommit writes;

    public RegistrationAuthority(
            CsrInspector inspector,
            PolicyAuthority policy,
            IssuancePipeline pipeline,
            CaHierarchy ca,
            AuditLog audit,
            AuditGuard auditGuard,
            PkiMetrics metrics,
            TransactionOperations<Connection> transactions,
            GroupCommit writes) {
        this.inspector = inspector;
        this.policy = policy;
        this.pipeline = pipeline;
        this.ca = ca;
        this.audit = audit;
        this.auditGuard = auditGuard;
        this.metrics = metrics;
        this.transactions = transactions;
        this.writes = writes;
    }

    /**
     * Checks, decides and signs with no connection taken (the CSR check is the costliest CPU step, the signatures the
     * HSM's); then one write — in a {@link GroupCommit} batch, or its own transaction for commands that lock a row —
     * runs the command's claim, stores and audits, and commits before this returns. A claim that fails (a token a
     * racing request used first, a renewed certificate revoked meanwhile) fails this write alone; its certificate,
     * signed but never stored or answered, is dropped.
     */
    public IssuedCertificate issue(IssuanceCommand command) {
        return counted(() -> {
            long start = System.nanoTime();
            auditGuard.requireIntact(); // a store gone back under us: nothing is issued until a restart decides
            InspectedCsr csr = inspector.inspect(command.csrPem());
            CertificateAsk ask = new CertificateAsk(
                    csr.commonName(),
                    csr.dnsNames(),
                    csr.ipAddresses(),
                    csr.uris(),
                    command.profile(),
                    command.service(),
                    command.validity(),
                    command.identity());
            Decision decision = policy.decide(command.grant(), ask);
            IssuancePipeline.Signed signed = pipeline.sign(new IssuancePipeline.Order(decision, csr));
            IssuancePipeline.Prepared prepared = pipeline.prepare(signed, decision.service(), command.renewalOf());
            Supplier<String> write = () -> {
                command.claim().before(signed.serial());
                CertificateRecord stored = pipeline.record(prepared);
                audited(command.channel(), command.grant().actor(), decision, stored, command.details());
                command.claim().after(stored);
                return stored.serial();
            };
            if (command.channel().locksRows()) {
                transactions.executeWrite(status -> write.get());
            } else {
                writes.write(write);
            }
            metrics.issued(decision.profile().name(), System.nanoTime() - start);
            LOG.info(
                    "issued {} for {} (profile {}, {} names, {}) by {}",
                    signed.serial(),
                    decision.commonName(),
                    decision.profile().name(),
                    decision.dnsNames().size()
                            + decision.ipAddresses().size()
                            + decision.uris().size(),
                    command.channel().label(),
                    command.grant().actor());
            return render(signed.certificate(), decision.profile().name());
        });
    }

    /**
     * For the appliance's own certificates, whose keys are made in the HSM: the policy authority decides and the
     * pipeline signs a certificate for {@code key} (the HSM stores it with the new key), to be {@link #record}ed in
     * the caller's transaction.
     */
    public IssuancePipeline.Signed approve(Entitlement grant, PublicKey key, CertificateAsk ask) {
        return counted(() -> {
            auditGuard.requireIntact();
            return pipeline.sign(new IssuancePipeline.Order(policy.decide(grant, ask), InspectedCsr.ofKey(key)));
        });
    }

    /**
     * Stores a certificate from {@link #approve} in the caller's transaction, audited and counted like any other;
     * {@code startNanos} is when the caller began (before {@link #approve}).
     */
    @Transactional
    public CertificateRecord record(
            IssuanceCommand.Channel channel,
            String actor,
            IssuancePipeline.Signed signed,
            String renewalOf,
            long startNanos) {
        Decision decision = signed.decision();
        CertificateRecord stored = pipeline.record(signed, decision.service(), renewalOf);
        audited(channel, actor, decision, stored, renewalOf == null ? "" : "renews=" + renewalOf);
        metrics.issued(decision.profile().name(), System.nanoTime() - startNanos);
        return stored;
    }

    /** Counts a request a front end refused before it reached the policy authority (bad credential, bad body). */
    public void refused(RuntimeException e) {
        metrics.issuanceFailed(Failures.classify(e).code());
    }

    private <T> T counted(Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            if (e instanceof LintException) {
                metrics.lintFailed();
            }
            metrics.issuanceFailed(Failures.classify(e).code());
            throw e;
        }
    }

    private void audited(
            IssuanceCommand.Channel channel, String actor, Decision d, CertificateRecord stored, String details) {
        audit.record(
                actor,
                channel.auditAction(),
                "certificate:" + stored.serial(),
                AuditLog.OK,
                "via=" + channel.label() + " profile=" + d.profile().name() + " service=" + d.service()
                        + " cn=" + d.commonName() + " dns=" + d.dnsNames() + " ips=" + d.ipAddresses()
                        + (d.uris().isEmpty() ? "" : " uris=" + d.uris()) + " validity=" + Validity.format(d.validity())
                        + " cap=" + Validity.format(d.maxValidity()) + (details.isEmpty() ? "" : " " + details));
    }

    public IssuedCertificate render(X509Certificate certificate, String profile) {
        return new IssuedCertificate(
                certificate.getSerialNumber().toString(16),
                Pem.encode(certificate),
                ca.chainPem(),
                certificate.getNotBefore().toInstant().toString(),
                certificate.getNotAfter().toInstant().toString(),
                profile);
    }
}
