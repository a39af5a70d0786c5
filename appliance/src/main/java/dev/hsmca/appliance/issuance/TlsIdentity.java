package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaRecords;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import jakarta.inject.Singleton;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The appliance's own HTTPS certificate: a key made in the HSM, certified through the registration authority like
 * any server's (a system grant for service {@code appliance}, profile {@code tls-server}), then stored as the active
 * TLS row. {@code ca init} makes the first one from {@code pki.ca.tls-names}; the renewal job makes the next ones
 * with the names of the one it replaces.
 */
@Singleton
public class TlsIdentity {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    /** A key in the HSM and its certificate, not stored yet; {@code started} is when its issuance began (nanoTime). */
    public record Issued(String alias, X509Certificate certificate, IssuancePipeline.Signed signed, long started) {}

    private final KeyBackend keys;
    private final RegistrationAuthority ra;
    private final CaRecords records;
    private final CaConfig config;

    public TlsIdentity(KeyBackend keys, RegistrationAuthority ra, CaRecords records, CaConfig config) {
        this.keys = keys;
        this.ra = ra;
        this.config = config;
        this.records = records;
    }

    /** The first identity, under the TLS role's own alias, for the names {@code pki.ca.tls-names} gives. */
    public Issued first(String actor) {
        long start = System.nanoTime();
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (String name : config.tlsNames()) {
            String ip = Names.ipAddress(name.trim());
            if (ip != null) {
                ips.add(ip);
            } else if (Names.dnsName(name.trim()) != null) {
                dns.add(Names.dnsName(name.trim()));
            } else {
                throw new IllegalArgumentException(
                        "pki.ca.tls-names: '" + name + "' is neither a DNS name nor an IP address");
            }
        }
        return issue(actor, CaRole.TLS.alias(), dns, ips, start);
    }

    /** A new key under {@code alias} (never rewriting an entry) for the names {@code old} carries. */
    public Issued renewal(String actor, String alias, X509Certificate old) {
        long start = System.nanoTime();
        return issue(actor, alias, names(old, SAN_DNS), names(old, SAN_IP), start);
    }

    /**
     * Stores it as the active TLS row below the issuing CA and records the issuance (audit entry, metrics) in the
     * registration authority; {@code replaces} is the serial of the certificate it replaces, if any.
     */
    public void store(IssuanceCommand.Channel channel, String actor, Issued issued, String issuingId, String replaces) {
        records.save(CaRole.TLS, issued.certificate(), issuingId, KeyAlgorithm.EC_P256.id(), issued.alias());
        ra.record(channel, actor, issued.signed(), replaces, issued.started());
    }

    private Issued issue(String actor, String alias, List<String> dns, List<String> ips, long start) {
        Entitlement grant = Entitlement.system(
                actor, "appliance", "tls-server", dns, ips, Set.of(), Duration.ofDays(config.tlsValidityDays()));
        CertificateAsk ask =
                new CertificateAsk(null, dns, ips, List.of(), null, null, null, CertificateAsk.Identity.REQUESTED);
        IssuancePipeline.Signed[] signed = new IssuancePipeline.Signed[1];
        keys.generate(alias, KeyAlgorithm.EC_P256, pair -> {
            signed[0] = ra.approve(grant, pair.getPublic(), ask);
            return signed[0].certificate();
        });
        return new Issued(alias, keys.certificate(alias), signed[0], start);
    }

    /** The old certificate's SANs of one type, canonical: the renewed one keeps them. */
    private static List<String> names(X509Certificate c, int type) {
        try {
            Collection<List<?>> all = c.getSubjectAlternativeNames();
            if (all == null) {
                return List.of();
            }
            return all.stream()
                    .filter(n -> (Integer) n.get(0) == type)
                    .map(n -> (String) n.get(1))
                    .map(n -> type == SAN_IP ? Names.ipAddress(n) : n)
                    .toList();
        } catch (CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
    }
}
