package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CrlPartitions;
import dev.hsmca.appliance.ca.UrlConfig;
import dev.hsmca.appliance.domain.CrlKind;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.jobs.Job;
import dev.hsmca.appliance.jobs.JobLocks;
import dev.hsmca.appliance.store.CrlPartRecord;
import dev.hsmca.appliance.store.CrlPartRepository;
import dev.hsmca.appliance.store.CrlPartStates;
import dev.hsmca.appliance.store.CrlStateRepository;
import dev.hsmca.appliance.store.RevokedEntries;
import dev.hsmca.appliance.x509.Extensions;
import dev.hsmca.core.CaRole;
import dev.hsmca.core.RevocationReason;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuing CA's small CRLs, published within {@link CrlConfig#partitionDelay()} of a change: each shard's (the
 * revoked certificates whose distribution point names it, with an issuing distribution point naming the same URL) and
 * the full CRL's delta (the changes since the full CRL it names as its base, RFC 5280 section 5.2.4). Each is owed
 * when a change past the revision its newest CRL covers exists, or when that CRL is older than the reissue interval.
 *
 * <p>As for the full CRL, no lock is held while signing: the number and the covered revision are taken in one short
 * transaction (a revision committed means every earlier one is: they are handed out under the crl_state row lock held
 * to commit), the rows read in one repeatable-read snapshot, the result stored in another. One replica at a time
 * publishes parts (their own lease, so a full CRL being made at a million entries does not hold them up).
 */
@Singleton
public class PartitionCrls {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionCrls.class);
    static final Duration LEASE = Duration.ofMinutes(2);

    public record Published(int part, long number, long entries) {}

    /** The number a part's CRL will carry, the revision it covers, and a delta's base. */
    record Ticket(long number, long revision, CrlPartStates.Base base) {}

    /** How many URLs a shard keeps naming after {@code pki.urls.crl-base} changes (its certificates name the old). */
    static final int NAMED_URLS = 4;

    private final CaHierarchy ca;
    private final CrlPartRepository parts;
    private final CrlPartStates states;
    private final CrlStateRepository state;
    private final RevokedEntries revoked;
    private final CrlConfig config;
    private final UrlConfig urls;
    private final CrlPartitions partitions;
    private final JobLocks locks;
    private final PkiMetrics metrics;
    private final Clock clock;

    public PartitionCrls(
            CaHierarchy ca,
            CrlPartRepository parts,
            CrlPartStates states,
            CrlStateRepository state,
            RevokedEntries revoked,
            CrlConfig config,
            UrlConfig urls,
            CrlPartitions partitions,
            JobLocks locks,
            PkiMetrics metrics,
            Clock clock) {
        this.partitions = partitions;
        this.ca = ca;
        this.parts = parts;
        this.states = states;
        this.state = state;
        this.revoked = revoked;
        this.config = config;
        this.urls = urls;
        this.locks = locks;
        this.metrics = metrics;
        this.clock = clock;
        metrics.revocationVisibilityTarget(config.visibilityTarget());
    }

    /** The parts owed, and each part's newest CRL as it was read to decide (it is the last until this run makes one). */
    record Plan(List<Integer> owed, Map<Integer, CrlPartStates.Newest> newest) {}

    /** Every shard and the delta that is owed, made now; empty when none is, or another replica is at it. */
    public List<Published> publishOwed() {
        List<Published> done = locks.callExclusively(Job.CRL_PARTS, LEASE, () -> {
            Plan plan = plan();
            List<Published> out = new ArrayList<>();
            for (int part : plan.owed()) {
                out.add(issue(part, plan.newest().get(part)));
            }
            return out;
        });
        return done == null ? List.of() : done;
    }

    /** The parts owed: shards (configured, or named by earlier CRLs) and the delta ({@link CrlPartRecord#DELTA}). */
    protected List<Integer> owed() {
        return plan().owed();
    }

    @Transactional(readOnly = true)
    protected Plan plan() {
        String caId = ca.issuing().id();
        Map<Integer, CrlPartStates.Newest> newest = states.newest(caId);
        long revision = state.findById(CaRole.ISSUING.alias()).orElseThrow().revision();
        TreeSet<Integer> owed = new TreeSet<>();
        TreeSet<Integer> shards = new TreeSet<>(newest.keySet());
        shards.remove(CrlPartRecord.DELTA);
        for (int s = 0; s < partitions.shards(); s++) {
            shards.add(s);
        }
        long oldestCovered = newest.values().stream()
                .mapToLong(CrlPartStates.Newest::coversRevision)
                .min()
                .orElse(0);
        Map<Integer, Long> changed = states.changedSince(caId, oldestCovered);
        shards.addAll(changed.keySet()); // a shard certificates name, whatever the count is now
        for (int shard : shards) {
            CrlPartStates.Newest n = newest.get(shard);
            if (n == null
                    || due(n)
                    || changed.getOrDefault(shard, 0L) > n.coversRevision()
                    || !n.namedUrls().contains(urls.crlShard(caId, shard))) {
                owed.add(shard);
            }
        }
        Optional<CrlPartStates.Base> base = states.newestFull(caId).filter(b -> b.coversRevision() != null);
        CrlPartStates.Newest delta = newest.get(CrlPartRecord.DELTA);
        if (base.isPresent()
                && (delta == null || due(delta) || delta.coversRevision() < revision || stale(delta, base.get()))) {
            owed.add(CrlPartRecord.DELTA);
        }
        return new Plan(new ArrayList<>(owed), newest);
    }

    private boolean due(CrlPartStates.Newest n) {
        return n.thisUpdate().plus(Duration.ofHours(config.reissueHours())).isBefore(clock.instant());
    }

    /** A delta on an older full CRL is made again on the newest (relying parties fetch the newest base). */
    private static boolean stale(CrlPartStates.Newest delta, CrlPartStates.Base base) {
        return delta.baseNumber() == null || delta.baseNumber() != base.number();
    }

    /** {@code before}: the part's newest CRL, read under this run's lease (null: none yet). */
    private Published issue(int part, CrlPartStates.Newest before) {
        long start = System.nanoTime();
        CaHierarchy.Member member = ca.issuing();
        Ticket ticket = part == CrlPartRecord.DELTA ? deltaTicket(member.id()) : shardTicket(member.id(), part);
        long ticketed = System.nanoTime();
        Instant now = CrlTimes.thisUpdate(clock, before == null ? null : before.thisUpdate());
        Instant next = part == CrlPartRecord.DELTA
                ? ticket.base().nextUpdate()
                : now.plus(Duration.ofDays(config.validityDays()));
        if (!next.isAfter(now)) {
            next = now.plus(Duration.ofHours(config.reissueHours()));
        }
        long previous = before == null ? Long.MAX_VALUE : before.coversRevision();
        List<String> named = part == CrlPartRecord.DELTA ? List.of() : named(member.id(), part, before);
        List<Instant> newlyShown = new ArrayList<>();
        try {
            Path dir = Files.createDirectories(Path.of(config.workDir()));
            Path file = Files.createTempFile(dir, member.id() + "-part" + part + "-", ".crl");
            try {
                CrlWriter.Result result = write(member, part, ticket, now, next, previous, named, newlyShown, file);
                long written = System.nanoTime();
                store(new CrlPartRecord(
                        new CrlPartRecord.Key(member.id(), part, ticket.number()),
                        ticket.base() == null ? null : ticket.base().number(),
                        ticket.revision(),
                        now,
                        next,
                        result.entries(),
                        Files.readAllBytes(file),
                        part == CrlPartRecord.DELTA ? null : String.join("\n", named)));
                CrlKind kind = part == CrlPartRecord.DELTA ? CrlKind.DELTA : CrlKind.SHARD;
                metrics.crlPublished(CaRole.ISSUING.alias(), kind);
                Instant stored = clock.instant();
                newlyShown.forEach(at -> metrics.revocationVisible(kind.tag(), Duration.between(at, stored)));
                long end = System.nanoTime();
                LOG.info(
                        "CRL {} {} #{} issued: {} entries, {} bytes, {} ms (number {}, read and sign {}, store {})",
                        member.id(),
                        part == CrlPartRecord.DELTA ? "delta" : "shard " + part,
                        ticket.number(),
                        result.entries(),
                        result.bytes(),
                        (end - start) / 1_000_000,
                        (ticketed - start) / 1_000_000,
                        (written - ticketed) / 1_000_000,
                        (end - written) / 1_000_000);
                return new Published(part, ticket.number(), result.entries());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a CRL part of " + member.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The URLs a shard's issuing distribution point names: the one new certificates name, and the ones its earlier
     * CRLs named (certificates issued before {@code pki.urls.crl-base} changed name those), newest first.
     */
    private List<String> named(String caId, int shard, CrlPartStates.Newest before) {
        List<String> named = new ArrayList<>();
        named.add(urls.crlShard(caId, shard));
        if (before != null) {
            before.namedUrls().stream()
                    .filter(u -> !named.contains(u))
                    .limit(NAMED_URLS - 1)
                    .forEach(named::add);
        }
        return named;
    }

    /** A shard's next number (its own sequence) and the revision committed now. */
    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected Ticket shardTicket(String caId, int shard) {
        parts.ensureShard(caId, shard);
        parts.takeShardNumber(caId, shard);
        long number = parts.shardNumber(caId, shard);
        return new Ticket(
                number, state.findById(CaRole.ISSUING.alias()).orElseThrow().revision(), null);
    }

    /**
     * A delta's number comes from its full CRL's sequence (the crl_state row, locked by taking it: every change
     * committed before is covered); its base is the newest full CRL that says what it covers.
     */
    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected Ticket deltaTicket(String caId) {
        String role = CaRole.ISSUING.alias();
        // The base is read before the row lock every revocation needs is taken (an older base only makes the delta
        // list more).
        CrlPartStates.Base base = states.newestFull(caId)
                .filter(b -> b.coversRevision() != null)
                .orElseThrow(() -> new IllegalStateException("no full CRL to make a delta against"));
        if (state.takeNumber(role) != 1) {
            throw new IllegalStateException("no CRL state for " + role + " (schema not migrated?)");
        }
        var s = state.findById(role).orElseThrow();
        return new Ticket(s.lastNumber(), s.revision(), base);
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    protected void store(CrlPartRecord record) {
        parts.save(record);
        parts.prune(record.key().caId(), record.key().part(), record.key().crlNumber() - 3);
    }

    /** One snapshot of the rows, however many revocations commit meanwhile. */
    @Transactional(readOnly = true, isolation = TransactionDefinition.Isolation.REPEATABLE_READ)
    protected CrlWriter.Result write(
            CaHierarchy.Member member,
            int part,
            Ticket ticket,
            Instant now,
            Instant next,
            long previous,
            List<String> named,
            List<Instant> newlyShown,
            Path file)
            throws IOException {
        boolean delta = part == CrlPartRecord.DELTA;
        List<Extension> extensions = delta
                ? List.of(new Extension(
                        Extension.deltaCRLIndicator,
                        true,
                        new ASN1Integer(ticket.base().number()).getEncoded()))
                : List.of(new Extension(
                        Extension.issuingDistributionPoint,
                        true,
                        new IssuingDistributionPoint(Extensions.pointNamed(named), false, false).getEncoded()));
        CrlWriter.Result result = CrlWriter.write(
                X500Name.getInstance(
                        member.certificate().getSubjectX500Principal().getEncoded()),
                Extensions.keyIdOf(member.certificate()),
                BigInteger.valueOf(ticket.number()),
                now,
                next,
                extensions,
                consumer -> {
                    RevokedEntries.ChangedRow row = (serial, revokedAt, reason, isRevoked, changedAt) -> {
                        if (isRevoked && changedAt > previous && revokedAt != null) {
                            newlyShown.add(revokedAt);
                        }
                        consumer.accept(entry(serial, revokedAt, reason, isRevoked, now));
                    };
                    if (delta) {
                        revoked.changedSince(member.id(), ticket.base().coversRevision(), now, row);
                    } else {
                        revoked.shard(member.id(), part, now, row);
                    }
                },
                member.key().contentSigner(),
                file);
        return result;
    }

    /** A revoked certificate as it is listed; in a delta, one no longer revoked (a hold lifted) is removeFromCRL. */
    private static CrlWriter.Entry entry(
            String serial, Instant revokedAt, String reason, boolean isRevoked, Instant now) {
        return isRevoked
                ? CrlWriter.Entry.stored(serial, revokedAt, reason)
                : new CrlWriter.Entry(new BigInteger(serial, 16), now, RevocationReason.REMOVE_FROM_CRL.code(), null);
    }
}
