package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CrlPartitions;
import dev.hsmca.appliance.domain.CertificateStatusListener;
import dev.hsmca.appliance.domain.Profile;
import dev.hsmca.appliance.policy.Decision;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateStore;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The one way a certificate comes to be, whoever asks (the API, {@code ca init}, the TLS renewal, ACME):
 * template → lint → sign in the HSM ({@link #sign}) → store → notify ({@link #record}). The two halves are apart
 * because a key made in the HSM needs its certificate before the key entry is written, and is recorded after; and
 * {@link #prepare} lets the API's issuance sign everything before its group commit, which then only writes.
 */
@Singleton
public class IssuancePipeline {
    static final Duration BACKDATE = Duration.ofMinutes(5);

    /** What to certify: the policy authority's decision for this key. */
    public record Order(Decision decision, InspectedCsr key) {
        public Profile profile() {
            return decision.profile();
        }
    }

    /** A signed certificate, not yet stored: nobody may see it before {@link #record} returns. */
    public record Signed(LeafTemplate template, Decision decision, X509Certificate certificate) {
        public String serial() {
            return certificate.getSerialNumber().toString(16);
        }
    }

    private final LeafSigner signer;
    private final CrlPartitions partitions;
    private final CertificateStore store;
    private final CaHierarchy ca;
    private final List<CertificateStatusListener> listeners;
    private final Clock clock;

    public IssuancePipeline(
            LeafSigner signer,
            CrlPartitions partitions,
            CertificateStore store,
            CaHierarchy ca,
            List<CertificateStatusListener> listeners,
            Clock clock) {
        this.signer = signer;
        this.partitions = partitions;
        this.store = store;
        this.ca = ca;
        this.listeners = listeners;
        this.clock = clock;
    }

    /** Template, lint, then the HSM signs the linted bytes. */
    public Signed sign(Order order) {
        LeafTemplate template = template(order);
        return new Signed(template, order.decision(), signer.sign(template));
    }

    /** Stores the certificate under the issuing CA and tells the listeners (pre-signed OCSP), in the caller's transaction. */
    public CertificateRecord record(Signed signed, String service, String renewalOf) {
        return record(prepare(signed, service, renewalOf));
    }

    /** A certificate's row and the listeners' writes (OCSP responses, signed here), ready for one transaction. */
    public record Prepared(CertificateRecord record, List<Runnable> writes) {}

    /** The slow part of {@link #record}, before any transaction: the listeners sign what they will store. */
    public Prepared prepare(Signed signed, String service, String renewalOf) {
        LeafTemplate t = signed.template();
        CertificateRecord record = store.issued(
                signed.certificate(),
                ca.issuing().id(),
                t.profile().name(),
                t.dnsNames(),
                t.ipAddresses(),
                t.uris(),
                service,
                renewalOf,
                signed.decision().maxValidity(),
                signed.decision().enrollKey(),
                t.profile().revocationPointers()
                        ? partitions.shardOf(signed.certificate().getSerialNumber())
                        : null);
        return new Prepared(
                record,
                listeners.stream()
                        .map(l -> l.prepare(record, CertificateStatusListener.Change.ISSUED))
                        .toList());
    }

    /** Stores a prepared certificate and the listeners' writes, in the caller's transaction. */
    public CertificateRecord record(Prepared prepared) {
        CertificateRecord stored = store.insert(prepared.record());
        prepared.writes().forEach(Runnable::run);
        return stored;
    }

    private LeafTemplate template(Order order) {
        Decision o = order.decision();
        Instant now = clock.instant();
        Instant notAfter = now.plus(o.validity());
        Instant caNotAfter = ca.issuing().certificate().getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        // Backdated for clocks running behind, but by at most a quarter of a short lifetime.
        Duration backdate =
                o.validity().dividedBy(4).compareTo(BACKDATE) < 0 ? o.validity().dividedBy(4) : BACKDATE;
        return new LeafTemplate(
                o.commonName(),
                o.dnsNames(),
                o.ipAddresses(),
                o.uris(),
                order.key().publicKey(),
                order.key().rsaKey(),
                o.profile(),
                now.minus(backdate),
                notAfter);
    }
}
