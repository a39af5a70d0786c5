package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.store.AuditEntry;
import dev.hsmca.appliance.store.AuditHead;
import dev.hsmca.appliance.store.AuditPending;
import dev.hsmca.appliance.store.AuditPendingRepository;
import dev.hsmca.appliance.store.AuditRepository;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Appends to the hash-chained audit log. {@link #record} joins the caller's transaction, so an entry commits
 * or rolls back with the change it describes; {@link #recordAlone} is for refusals, which change nothing else.
 * Entries are written as pending, with no lock, and chained by the {@link AuditSealer} within
 * {@code pki.audit.seal-interval}; reads ({@link #verify}, {@link #search}) seal first, so they see every
 * committed entry.
 */
@Singleton
public class AuditLog {
    /**
     * Refusals are written at most once a minute per source; under a flood from many sources the newest rows are
     * counted (the chart's recent hours stay right) and the oldest hours are left short.
     */
    private static final int DENIED_ROWS = 5_000;

    private static final Pattern COUNT = Pattern.compile("=(\\d{1,12})");

    public static final String OK = "success";
    public static final String DENIED = "denied";
    public static final String FAILED = "failure";

    private final AuditRepository repository;
    private final AuditPendingRepository pending;
    private final AuditSealer sealer;
    private final Clock clock;

    public AuditLog(AuditRepository repository, AuditPendingRepository pending, AuditSealer sealer, Clock clock) {
        this.repository = repository;
        this.pending = pending;
        this.sealer = sealer;
        this.clock = clock;
    }

    @Transactional(propagation = TransactionDefinition.Propagation.MANDATORY)
    public void record(String actor, String action, String subject, String outcome, String details) {
        append(actor, action, subject, outcome, details);
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    public void recordAlone(String actor, String action, String subject, String outcome, String details) {
        append(actor, action, subject, outcome, details);
    }

    private void append(String actor, String action, String subject, String outcome, String details) {
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        pending.save(new AuditPending(
                null,
                at,
                clip(actor, 256),
                action,
                clip(subject, 512),
                outcome,
                clip(details == null ? "" : details, 4096)));
    }

    /**
     * Seals what is pending, then walks the whole chain; the first entry whose links or hash do not match, if any.
     * Not one transaction: the seal commits first, and a chunked walk needs no snapshot (entries are never changed).
     */
    public Verification verify() {
        sealer.seal();
        // The head first, then the chain up to it: entries sealed meanwhile by a running server are past the head
        // read here and are left for the next verify, never mistaken for a break.
        AuditHead head = repository.head();
        String prev = AuditHashes.GENESIS;
        long checked = 0;
        while (checked < head.seq()) {
            List<AuditEntry> chunk = repository.chunk(checked, (int) Math.min(1000, head.seq() - checked));
            if (chunk.isEmpty()) {
                break;
            }
            for (AuditEntry e : chunk) {
                long expectedSeq = checked + 1;
                if (e.seq() != expectedSeq) {
                    return new Verification(
                            checked, Optional.of(new Break(expectedSeq, "entry " + expectedSeq + " is missing")));
                }
                if (!e.prevHash().equals(prev)) {
                    return new Verification(
                            checked,
                            Optional.of(
                                    new Break(e.seq(), "previous-hash link does not match entry " + (e.seq() - 1))));
                }
                if (!AuditHashes.hash(e).equals(e.hash())) {
                    return new Verification(
                            checked, Optional.of(new Break(e.seq(), "content does not match its hash (edited)")));
                }
                prev = e.hash();
                checked++;
            }
        }
        if (head.seq() != checked || !head.hash().equals(prev)) {
            return new Verification(
                    checked,
                    Optional.of(new Break(
                            checked + 1,
                            "entries after " + checked + " were removed (head is at " + head.seq() + ")")));
        }
        return new Verification(checked, Optional.empty());
    }

    public record Break(long seq, String reason) {}

    public record Verification(long entries, Optional<Break> firstBreak) {
        public boolean intact() {
            return firstBreak.isEmpty();
        }
    }

    public List<AuditEntry> search(Instant since, String action, long afterSeq, int limit) {
        sealer.seal();
        return repository.search(since, action == null ? "" : action, afterSeq, limit);
    }

    /** The chain's newest entries before {@code beforeSeq} (0: from the head), newest first; null filters match any. */
    public List<AuditEntry> tail(String action, String actor, long beforeSeq, int limit) {
        sealer.seal();
        return repository.tail(
                action == null ? "" : action,
                actor == null ? "" : actor,
                beforeSeq <= 0 ? Long.MAX_VALUE : beforeSeq,
                limit);
    }

    /** The entries about one subject ({@code certificate:<serial>}), newest first. */
    public List<AuditEntry> about(String subject, int limit) {
        sealer.seal();
        return repository.about(subject, limit);
    }

    /**
     * Refusals in each of the last {@code hours} hours, oldest first: a refusal entry of {@link Refusals} counts what
     * its details sum up ({@code action/reason=count,...}), any other denied entry one.
     */
    public long[] deniedPerHour(Instant now, int hours) {
        sealer.seal();
        long[] counts = new long[hours];
        Instant since = now.minus(Duration.ofHours(hours));
        for (AuditEntry e : repository.denied(since, DENIED_ROWS)) {
            long bucket = Duration.between(since, e.at()).toHours();
            counts[(int) Math.min(hours - 1, Math.max(0, bucket))] += refusals(e);
        }
        return counts;
    }

    private static long refusals(AuditEntry e) {
        if (!Refusals.ACTION.equals(e.action())) {
            return 1;
        }
        long n = 0;
        Matcher m = COUNT.matcher(e.details());
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return Math.max(1, n);
    }

    private static String clip(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }
}
