package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.domain.Names;

import dev.hsmca.appliance.domain.Profile;
import dev.hsmca.appliance.domain.Profiles;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.Grant;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.TokenGrant;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.domain.CertificateStatusListener;
import dev.hsmca.appliance.enrollment.InstallTokens;
import dev.hsmca.core.RevocationReason;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.store.GroupCommit;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.Validity;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Clock;
import io.micronaut.transaction.TransactionOperations;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * CSR in, stored certificate out, for the REST API: validate → apply the caller's grant → the
 * {@link IssuancePipeline} (lint, sign, store, notify) → audit, in one transaction: an install token is consumed,
 * and the certificate stored and audited, together or not at all.
 */
@Singleton
public class IssuanceService {
    private static final Logger LOG = LoggerFactory.getLogger(IssuanceService.class);
    static final int DEFAULT_VALIDITY_DAYS = 90;

    private final Profiles profiles;
    private final CsrInspector inspector;
    private final IssuancePipeline pipeline;
    private final CaHierarchy ca;
    private final InstallTokens tokens;
    private final Revocations revocations;
    private final AuditLog audit;
    private final TransactionOperations<Connection> transactions;
    private final GroupCommit writes;

    public IssuanceService(Profiles profiles, CsrInspector inspector, IssuancePipeline pipeline, CaHierarchy ca,
                           InstallTokens tokens, Revocations revocations, AuditLog audit,
                           TransactionOperations<Connection> transactions, GroupCommit writes) {
        this.transactions = transactions;
        this.writes = writes;
        this.profiles = profiles;
        this.inspector = inspector;
        this.pipeline = pipeline;
        this.ca = ca;
        this.tokens = tokens;
        this.revocations = revocations;
        this.audit = audit;
    }

    /**
     * Checks, then signs: the certificate and its OCSP responses, with no connection taken (the CSR check is the
     * costliest CPU step, the signatures the HSM's). Then one write in a {@link GroupCommit} batch: the token is
     * consumed, the certificate and responses stored and audited, together or not at all, and committed before this
     * returns. A token that a racing request used first fails this write alone; its certificate, signed but never
     * stored or answered, is dropped.
     */
    public IssuedCertificate issue(IssueRequest request, Grant grant) {
        Profile profile = profiles.requestable(grant.profileFor(request.profile()));
        String service = grant.serviceFor(request.service());
        Duration validity = validity(request.validityDays(), request.validity(), profile, grant.validityCap(profile));
        InspectedCsr csr = inspector.inspect(request.csr());
        List<String> dns = new ArrayList<>(csr.dnsNames());
        List<String> ips = new ArrayList<>(csr.ipAddresses());
        String cn = commonName(csr, dns, ips);
        requireNames(profile, dns, ips);
        grant.checkIssuance(profile, dns, ips, validity);

        IssuancePipeline.Signed signed = pipeline.sign(new IssuancePipeline.Order(cn, dns, ips, csr, profile, validity));
        IssuancePipeline.Prepared prepared = pipeline.prepare(signed, service, null);
        String serial = signed.serial();
        writes.write(() -> {
            if (grant instanceof TokenGrant token) {
                tokens.consume(token.token());
            }
            pipeline.record(prepared);
            if (grant instanceof TokenGrant token) {
                tokens.recordSerial(token.token(), serial);
                audit.record(grant.actor(), "token.use", "token:" + token.token().id(), AuditLog.OK, "serial=" + serial);
            }
            audit.record(grant.actor(), "certificate.issue", "certificate:" + serial, AuditLog.OK,
                    "profile=" + profile.name() + " service=" + service + " dns=" + dns + " ips=" + ips
                            + " validity=" + Validity.format(validity));
            return serial;
        });
        LOG.info("issued {} for {} (profile {}, {} names) by {}", serial, cn, profile.name(), dns.size() + ips.size(),
                grant.actor());
        return render(signed.certificate(), profile.name());
    }

    /**
     * A new certificate for the holder's identity (service, names, profile), usually for a new key. The CSR may
     * name fewer names, never more; the old certificate can be revoked as superseded in the same transaction.
     * As for {@link #issue}, the CSR is checked before the transaction takes a connection.
     */
    public IssuedCertificate renew(RenewRequest request, HolderGrant holder) {
        Profile profile = profiles.internal(holder.profileFor(null));
        Duration validity = validity(request.validityDays(), request.validity(), profile, holder.validityCap(profile));
        InspectedCsr csr = inspector.inspect(request.csr());
        List<String> dns = new ArrayList<>(csr.dnsNames());
        List<String> ips = new ArrayList<>(csr.ipAddresses());
        commonName(csr, dns, ips);
        holder.checkIssuance(profile, dns, ips, validity);
        return transactions.executeWrite(status -> renewChecked(request, holder, profile, validity, csr));
    }

    private IssuedCertificate renewChecked(RenewRequest request, HolderGrant holder, Profile profile, Duration validity,
                                           InspectedCsr csr) {
        CertificateRecord old = holder.certificate();
        // The identity is the old certificate's, whatever subset the CSR named.
        List<String> keepDns = holder.dnsNames();
        List<String> keepIps = holder.ipAddresses();
        String cn = subjectCn(old);
        IssuancePipeline.Signed signed = pipeline.sign(new IssuancePipeline.Order(cn, keepDns, keepIps, csr, profile, validity));
        pipeline.record(signed, old.service(), old.serial());
        X509Certificate certificate = signed.certificate();
        String serial = signed.serial();
        audit.record(holder.actor(), "certificate.renew", "certificate:" + serial, AuditLog.OK,
                "renews=" + old.serial() + " service=" + old.service() + " validity=" + Validity.format(validity));
        if (Boolean.TRUE.equals(request.revokeOld())) {
            revocations.apply(old, RevocationReason.SUPERSEDED, holder.actor());
        }
        return render(certificate, profile.name());
    }

    private static void requireNames(Profile profile, List<String> dns, List<String> ips) {
        if (profile.requireSan() && dns.isEmpty() && ips.isEmpty()) {
            throw PkiException.malformed("no_names", "profile " + profile.name()
                    + " needs at least one DNS name or IP address in the CSR (subjectAltName or CN)");
        }
    }

    private static String subjectCn(CertificateRecord record) {
        var rdns = new org.bouncycastle.asn1.x500.X500Name(record.subjectDn())
                .getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        return rdns.length == 0 ? null
                : org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    public IssuedCertificate render(X509Certificate certificate, String profile) {
        return new IssuedCertificate(certificate.getSerialNumber().toString(16), Pem.encode(certificate),
                ca.chainPem(), certificate.getNotBefore().toInstant().toString(),
                certificate.getNotAfter().toInstant().toString(), profile);
    }

    /**
     * The lifetime asked for ({@code validity} such as "10m", "24h", "90d", or {@code validity_days}), between the
     * profile's minimum and maximum; by default 90 days, or the grant's cap when that is shorter.
     */
    static Duration validity(Integer days, String text, Profile profile, Duration cap) {
        if (days != null && text != null) {
            throw PkiException.malformed("invalid_validity", "give validity or validity_days, not both");
        }
        if (days == null && text == null) {
            Duration standard = Duration.ofDays(DEFAULT_VALIDITY_DAYS);
            return standard.compareTo(cap) < 0 ? standard : cap;
        }
        if (days != null && days < 1) {
            throw PkiException.malformed("invalid_validity", "validity_days must be at least 1");
        }
        Duration requested = days != null ? Duration.ofDays(days) : Validity.parse(text);
        if (requested.compareTo(profile.maxValidity()) > 0) {
            throw PkiException.malformed("validity_too_long", "validity " + Validity.format(requested) + " exceeds the "
                    + profile.maxValidityDays() + "-day cap of profile " + profile.name());
        }
        if (requested.compareTo(profile.minValidity()) < 0) {
            throw PkiException.malformed("validity_too_short", "validity " + Validity.format(requested)
                    + " is below the minimum " + Validity.format(profile.minValidity()) + " of profile " + profile.name());
        }
        return requested;
    }

    /** The subject CN: the CSR's, when given (a host name or IP there also becomes a SAN), else the first SAN. */
    private static String commonName(InspectedCsr csr, List<String> dns, List<String> ips) {
        String cn = csr.commonName();
        if (cn != null && !cn.isBlank()) {
            String host = Names.dnsName(cn);
            String ip = host == null ? Names.ipAddress(cn) : null;
            if (host != null && !dns.contains(host)) {
                dns.add(0, host);
            } else if (ip != null && !ips.contains(ip)) {
                ips.add(0, ip);
            }
            return cn;
        }
        if (!dns.isEmpty()) {
            return dns.get(0);
        }
        if (!ips.isEmpty()) {
            return ips.get(0);
        }
        throw PkiException.malformed("no_names", "the CSR has neither a subject CN nor a subjectAltName");
    }
}
