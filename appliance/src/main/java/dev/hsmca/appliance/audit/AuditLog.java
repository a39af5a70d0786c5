package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.store.AuditEntry;
import dev.hsmca.appliance.store.AuditHead;
import dev.hsmca.appliance.store.AuditRepository;

import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Appends to the hash-chained audit log. {@link #record} joins the caller's transaction, so an entry commits
 * or rolls back with the change it describes; {@link #recordAlone} is for refusals, which change nothing else.
 */
@Singleton
public class AuditLog {
    public static final String OK = "success";
    public static final String DENIED = "denied";
    public static final String FAILED = "failure";

    private final AuditRepository repository;
    private final Clock clock;

    public AuditLog(AuditRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    @Transactional(propagation = TransactionDefinition.Propagation.MANDATORY)
    public AuditEntry record(String actor, String action, String subject, String outcome, String details) {
        return append(actor, action, subject, outcome, details);
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    public AuditEntry recordAlone(String actor, String action, String subject, String outcome, String details) {
        return append(actor, action, subject, outcome, details);
    }

    private AuditEntry append(String actor, String action, String subject, String outcome, String details) {
        AuditHead head = repository.lockHead();
        long seq = head.seq() + 1;
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String a = clip(actor, 256);
        String s = clip(subject, 512);
        String d = clip(details == null ? "" : details, 4096);
        String hash = AuditHashes.hash(head.hash(), seq, at, a, action, s, outcome, d);
        AuditEntry entry = repository.save(new AuditEntry(seq, at, a, action, s, outcome, d, head.hash(), hash));
        repository.moveHead(seq, hash);
        return entry;
    }

    /** Walks the whole chain; the first entry whose links or hash do not match, if any. */
    @Transactional(readOnly = true)
    public Verification verify() {
        String prev = AuditHashes.GENESIS;
        long expectedSeq = 1;
        long checked = 0;
        long after = 0;
        while (true) {
            List<AuditEntry> chunk = repository.chunk(after, 1000);
            if (chunk.isEmpty()) {
                break;
            }
            for (AuditEntry e : chunk) {
                if (e.seq() != expectedSeq) {
                    return new Verification(checked, Optional.of(new Break(expectedSeq, "entry " + expectedSeq + " is missing")));
                }
                if (!e.prevHash().equals(prev)) {
                    return new Verification(checked, Optional.of(new Break(e.seq(), "previous-hash link does not match entry " + (e.seq() - 1))));
                }
                if (!AuditHashes.hash(e).equals(e.hash())) {
                    return new Verification(checked, Optional.of(new Break(e.seq(), "content does not match its hash (edited)")));
                }
                prev = e.hash();
                expectedSeq++;
                checked++;
                after = e.seq();
            }
        }
        AuditHead head = repository.lockHeadForRead();
        if (head.seq() != checked || !head.hash().equals(prev)) {
            return new Verification(checked, Optional.of(new Break(checked + 1, "entries after " + checked
                    + " were removed (head is at " + head.seq() + ")")));
        }
        return new Verification(checked, Optional.empty());
    }

    public record Break(long seq, String reason) {
    }

    public record Verification(long entries, Optional<Break> firstBreak) {
        public boolean intact() {
            return firstBreak.isEmpty();
        }
    }

    @Transactional(readOnly = true)
    public List<AuditEntry> search(Instant since, String action, long afterSeq, int limit) {
        return repository.search(since, action == null ? "" : action, afterSeq, limit);
    }

    private static String clip(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }
}
