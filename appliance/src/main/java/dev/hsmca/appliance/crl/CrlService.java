package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.UrlConfig;
import dev.hsmca.appliance.domain.CrlKind;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.jobs.Job;
import dev.hsmca.appliance.jobs.JobLocks;
import dev.hsmca.appliance.store.CrlRecord;
import dev.hsmca.appliance.store.CrlRepository;
import dev.hsmca.appliance.store.CrlState;
import dev.hsmca.appliance.store.CrlStateRepository;
import dev.hsmca.appliance.store.RevokedEntries;
import dev.hsmca.appliance.x509.Extensions;
import dev.hsmca.core.CaRole;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues full CRLs for the issuing CA (its revoked, unexpired certificates) and the root (revoked CA
 * certificates), signed in the HSM, stored for the OCSP responder to serve.
 *
 * <p>No lock is held while the CRL is built and signed (seconds at a million entries): the number and the
 * revision it covers are taken in one short transaction, the rows are read afterwards (so every change up to that
 * revision is on the CRL), and the result is stored in another short transaction. The audit entry comes after.
 */
@Singleton
public class CrlService {
    private static final Logger LOG = LoggerFactory.getLogger(CrlService.class);

    public record Issued(String caId, long number, long entries, long bytes, Instant nextUpdate, long millis) {}

    /** The number a CRL will carry and the revision of its CA's state it covers. */
    record Ticket(long number, long revision) {}

    private final CaHierarchy ca;
    private final CrlRepository crls;
    private final CrlStateRepository state;
    private final RevokedEntries revoked;
    private final CrlConfig config;
    private final AuditLog audit;
    private final JobLocks locks;
    private final UrlConfig urls;
    private final PartitionCrls parts;
    private final PkiMetrics metrics;
    private final Clock clock;
    /** Longer than any CRL takes (a million entries: ~10 s); a replica that died holding it frees it after this. */
    static final Duration LEASE = Duration.ofMinutes(10);

    public CrlService(
            CaHierarchy ca,
            CrlRepository crls,
            CrlStateRepository state,
            RevokedEntries revoked,
            CrlConfig config,
            AuditLog audit,
            JobLocks locks,
            UrlConfig urls,
            PartitionCrls parts,
            PkiMetrics metrics,
            Clock clock) {
        this.parts = parts;
        this.locks = locks;
        this.urls = urls;
        this.metrics = metrics;
        this.ca = ca;
        this.crls = crls;
        this.state = state;
        this.revoked = revoked;
        this.config = config;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The CRLs this appliance signs: the issuing CA's, and the root's unless the root is offline; then the issuing
     * CA's shards and delta that are owed (all of them at {@code ca init}: certificates point at them from the first).
     */
    public List<Issued> generateAll(String actor) {
        List<Issued> issued =
                ca.crlSigners().stream().map(role -> generate(role, actor)).toList();
        parts.publishOwed();
        return issued;
    }

    /** A new CRL now, waiting for one being made elsewhere (another thread or replica) to finish first. */
    public Issued generate(CaRole role, String actor) {
        Issued issued = locks.call(Job.CRL_PUBLISH, LEASE, LEASE, () -> issue(role, actor));
        if (issued == null) {
            throw new IllegalStateException("another replica has been making a CRL for " + LEASE + "; try again");
        }
        return issued;
    }

    /**
     * A new CRL when one is owed (a change no CRL shows yet, or the reissue interval passed), decided once this
     * replica holds the CRL lease; empty when none is owed, or when another replica is making one right now.
     */
    public Optional<Issued> publishIfOwed(CaRole role, String actor) {
        return Optional.ofNullable(
                locks.call(Job.CRL_PUBLISH, LEASE, Duration.ZERO, () -> owed(role) ? issue(role, actor) : null));
    }

    /** Under the lease: one CRL at a time across threads and replicas, so they are stored in number order. */
    private Issued issue(CaRole role, String actor) {
        long start = System.nanoTime();
        Instant started = clock.instant();
        CaHierarchy.Member member = ca.member(role);
        String caId = member.id();
        Ticket ticket = ticket(role);
        Instant now = CrlTimes.thisUpdate(clock, crls.lastIssued(caId).orElse(null));
        Instant next = now.plus(Duration.ofDays(config.validityDays()));
        try {
            Path dir = Files.createDirectories(Path.of(config.workDir()));
            Path file = Files.createTempFile(dir, caId + "-" + ticket.number() + "-", ".crl");
            try {
                CrlWriter.Result result = write(member, role, ticket.number(), now, next, file);
                store(
                        role,
                        new CrlRecord(
                                new CrlRecord.Key(caId, ticket.number()),
                                now,
                                next,
                                result.entries(),
                                Files.readAllBytes(file),
                                ticket.revision()),
                        ticket.revision());
                metrics.crlPublished(role.alias(), CrlKind.FULL);
                audit.recordAlone(
                        actor,
                        "crl.issue",
                        "crl:" + caId,
                        AuditLog.OK,
                        "number=" + ticket.number() + " entries=" + result.entries() + " revision=" + ticket.revision()
                                + " started=" + started + " by=" + locks.holder());
                long millis = (System.nanoTime() - start) / 1_000_000;
                LOG.info(
                        "CRL {} #{} issued: {} entries, {} bytes, {} ms",
                        caId,
                        ticket.number(),
                        result.entries(),
                        result.bytes(),
                        millis);
                return new Issued(caId, ticket.number(), result.entries(), result.bytes(), next, millis);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the CRL for " + caId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores a CRL signed elsewhere: the offline root's, made at the key ceremony. It must verify with that CA's
     * certificate and carry a number above the last one stored.
     */
    @Transactional
    public void importCrl(CaRole role, X509CRL crl, String actor) {
        CaHierarchy.Member member = ca.member(role);
        try {
            crl.verify(member.certificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "the CRL is not signed by the " + role.alias() + " CA: " + e.getMessage());
        }
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (ext == null || crl.getNextUpdate() == null) {
            throw new IllegalArgumentException("the CRL needs a CRL number and a nextUpdate");
        }
        long number = ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets())
                .longValueExact();
        long last = crls.latest(member.id()).map(r -> r.key().crlNumber()).orElse(0L);
        if (number <= last) {
            throw new IllegalArgumentException("CRL number " + number + " is not above the last stored (" + last + ")");
        }
        try {
            crls.save(new CrlRecord(
                    new CrlRecord.Key(member.id(), number),
                    crl.getThisUpdate().toInstant(),
                    crl.getNextUpdate().toInstant(),
                    crl.getRevokedCertificates() == null
                            ? 0
                            : crl.getRevokedCertificates().size(),
                    crl.getEncoded(),
                    null));
        } catch (CRLException e) {
            throw new IllegalArgumentException("the CRL cannot be encoded: " + e.getMessage());
        }
        audit.record(
                actor,
                "crl.import",
                "crl:" + member.id(),
                AuditLog.OK,
                "number=" + number + " next=" + crl.getNextUpdate().toInstant());
    }

    /**
     * Whether this CA is owed a CRL: a change no CRL shows yet (for the issuing CA, once {@link
     * CrlConfig#fullInterval()} has passed since its last: its delta and shards show the change meanwhile), or the
     * latest is older than the reissue interval.
     */
    public boolean owed(CaRole role) {
        boolean behind = state.findById(role.alias()).map(CrlState::behind).orElse(false);
        Optional<Instant> last = crls.lastIssued(ca.member(role).id());
        if (behind && role == CaRole.ISSUING && !config.fullInterval().isZero()) {
            behind = last.map(t -> !t.plus(config.fullInterval()).isAfter(clock.instant()))
                    .orElse(true);
        }
        return behind || due(last);
    }

    /** Whether the latest CRL of this CA is older than the reissue interval (or missing). */
    public boolean due(CaRole role) {
        return due(crls.lastIssued(ca.member(role).id()));
    }

    private boolean due(Optional<Instant> last) {
        return last.map(t -> t.plus(Duration.ofHours(config.reissueHours())).isBefore(clock.instant()))
                .orElse(true);
    }

    /** The next number; the revision is read after the row lock, so every change committed before is covered. */
    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected Ticket ticket(CaRole role) {
        if (state.takeNumber(role.alias()) != 1) {
            throw new IllegalStateException("no CRL state for " + role.alias() + " (schema not migrated?)");
        }
        CrlState s = state.findById(role.alias()).orElseThrow();
        return new Ticket(s.lastNumber(), s.revision());
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected void store(CaRole role, CrlRecord record, long revision) {
        crls.save(record);
        state.published(role.alias(), revision);
        crls.prune(record.key().caId(), record.key().crlNumber() - 10);
    }

    /**
     * Reads the entries in a read-only transaction of its own (one snapshot, however many revocations commit
     * meanwhile); no locks are taken, and the HSM signs after the rows are read.
     */
    @Transactional(readOnly = true, isolation = TransactionDefinition.Isolation.REPEATABLE_READ)
    protected CrlWriter.Result write(
            CaHierarchy.Member member, CaRole role, long number, Instant now, Instant next, Path file)
            throws IOException {
        // The issuing CA's full CRL is the base of a delta: it says where (RFC 5280 section 5.2.6).
        List<Extension> extensions = role == CaRole.ISSUING
                ? List.of(new Extension(
                        Extension.freshestCRL,
                        false,
                        Extensions.distributionPoint(urls.crlDelta(member.id())).getEncoded()))
                : List.of();
        return CrlWriter.write(
                X500Name.getInstance(
                        member.certificate().getSubjectX500Principal().getEncoded()),
                Extensions.keyIdOf(member.certificate()),
                BigInteger.valueOf(number),
                now,
                next,
                extensions,
                consumer -> entries(role, member.id(), now, consumer),
                member.key().contentSigner(),
                file);
    }

    /** The root's CRL lists revoked CA certificates; the issuing CA's, its revoked certificates not yet expired. */
    private void entries(CaRole role, String caId, Instant now, Consumer<CrlWriter.Entry> consumer) {
        RevokedEntries.Row row =
                (serial, revokedAt, reason) -> consumer.accept(CrlWriter.Entry.stored(serial, revokedAt, reason));
        if (role == CaRole.ROOT) {
            revoked.caCertificates(caId, row);
        } else {
            revoked.certificates(caId, now, row);
        }
    }
}
