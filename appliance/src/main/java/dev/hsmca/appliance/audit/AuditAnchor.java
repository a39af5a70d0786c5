package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.store.AuditEntry;
import dev.hsmca.appliance.store.AuditHead;
import dev.hsmca.appliance.store.AuditRepository;
import dev.hsmca.appliance.x509.PlaceholderCertificate;
import dev.hsmca.hsm.HsmException;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.SigningKey;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.SignatureException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.operator.ContentSigner;

/**
 * The audit chain's head (sequence and hash), signed with a key of its own in the HSM and written to a file on
 * this host, where a restore or rollback of the database cannot reach. The database must always hold that entry
 * with that hash, and its head never goes below it: when it does not, entries the appliance committed (and clients
 * were told about) are gone. {@link #check()} says so at start and in {@code audit verify}; {@link #advance} says so
 * while running (and then writes nothing: a lower head is never signed over a higher one).
 */
@Singleton
public class AuditAnchor {
    /** The anchor's own HSM key: CA keys sign certificates, CRLs and OCSP responses only. */
    public static final String KEY_ALIAS = "audit-anchor";

    static final String HEADER = "hsmca audit anchor v1";

    public record Anchor(long seq, String hash, Instant at) {
        String signedText() {
            return HEADER + "\nseq=" + seq + "\nhash=" + hash + "\nat=" + at + "\n";
        }
    }

    /** What comparing the database with an anchor can find. */
    public enum Finding {
        /** The database no longer holds the anchored entry, or its head is below it. */
        ROLLBACK,
        /** The anchored entry is there with another hash: a different history under the same numbers. */
        REPLACEMENT,
        /** A non-empty log and no anchor file: a deleted anchor would hide a rollback. */
        MISSING,
        /** The anchor file does not carry this HSM's signature, or is not an anchor at all. */
        TAMPERED
    }

    public record Problem(Finding finding, String message) {}

    /** The result of comparing the database with the anchor; {@code problem} is empty when they agree. */
    public record Check(Optional<Anchor> anchor, long databaseHead, Optional<Problem> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    /** One periodic step: the anchor written (if the head moved), or the rollback found (nothing written). */
    public record Step(Optional<Anchor> anchored, Optional<Problem> rollback) {
        static final Step NOTHING = new Step(Optional.empty(), Optional.empty());
    }

    /** The anchor file does not verify: reported as tampering, never confused with a file that cannot be read. */
    static final class TamperedException extends RuntimeException {
        TamperedException(String message) {
            super(message, null, false, false);
        }
    }

    private final Provider<KeyBackend> hsm; // opened only when there is an anchor to sign or check
    private final AuditRepository repository;
    private final AuditConfig config;
    private final Clock clock;

    public AuditAnchor(Provider<KeyBackend> hsm, AuditRepository repository, AuditConfig config, Clock clock) {
        this.hsm = hsm;
        this.repository = repository;
        this.config = config;
        this.clock = clock;
    }

    public Path file() {
        return Path.of(config.anchorFile());
    }

    /**
     * While running: compares the database with {@code last} (what this process checked at start or anchored
     * since); when the database still holds it and moved on, signs and writes the new head. A database that went
     * back is reported and nothing is written.
     */
    @Transactional(readOnly = true)
    public Step advance(Optional<Anchor> last) {
        AuditHead head = repository.head();
        if (last.isPresent()) {
            Anchor a = last.get();
            if (head.seq() == a.seq() && head.hash().equals(a.hash())) {
                return Step.NOTHING;
            }
            Optional<Problem> problem = compare(a, head);
            if (problem.isPresent()) {
                return new Step(Optional.empty(), problem);
            }
        }
        if (head.seq() == 0) {
            return Step.NOTHING;
        }
        return new Step(Optional.of(write(head)), Optional.empty());
    }

    /**
     * For a new host ({@code ca init}): anchors the database's current head, even an empty log's (entry 0, which
     * every store holds), so the first start finds an anchor; an anchor file already there is left alone.
     */
    @Transactional(readOnly = true)
    public Optional<Anchor> anchorIfAbsent() {
        if (Files.exists(file(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(write(repository.head()));
    }

    /**
     * Compares the database with the anchor file. No file is fine only beside an empty log (a new store); a
     * non-empty log without one is {@link Finding#MISSING}. A file or HSM that cannot be read throws
     * {@link PkiException} ({@code UNAVAILABLE}): that is not evidence of tampering.
     */
    @Transactional(readOnly = true)
    public Check check() {
        AuditHead head = repository.head();
        Optional<Anchor> anchor;
        try {
            anchor = read();
        } catch (TamperedException e) {
            return new Check(Optional.empty(), head.seq(), Optional.of(new Problem(Finding.TAMPERED, e.getMessage())));
        }
        if (anchor.isEmpty()) {
            return new Check(
                    anchor,
                    head.seq(),
                    head.seq() == 0
                            ? Optional.empty()
                            : Optional.of(new Problem(
                                    Finding.MISSING,
                                    "MISSING: the audit log holds " + head.seq() + " entries but there is no anchor "
                                            + "file " + file()
                                            + " to check them against (deleted, or not restored with the database)")));
        }
        return new Check(anchor, head.seq(), compare(anchor.get(), head));
    }

    /** Whether the database (its head, and its entry at the anchored sequence) still holds the anchor. */
    private Optional<Problem> compare(Anchor a, AuditHead head) {
        if (a.seq() == 0) {
            return Optional.empty(); // the genesis: every store holds it
        }
        Optional<AuditEntry> entry = head.seq() < a.seq() ? Optional.empty() : repository.findById(a.seq());
        if (entry.isEmpty()) {
            return Optional.of(new Problem(
                    Finding.ROLLBACK,
                    "ROLLBACK: the database's audit log ends at entry "
                            + head.seq() + ", but on " + a.at() + " it held entry " + a.seq() + " (anchor " + file()
                            + "): "
                            + "everything committed after entry " + head.seq() + " is gone from the store"));
        }
        if (!entry.get().hash().equals(a.hash())) {
            return Optional.of(new Problem(
                    Finding.REPLACEMENT,
                    "ROLLBACK or REPLACEMENT: entry " + a.seq() + " differs from the one anchored on " + a.at()
                            + " (anchor " + file() + ")"));
        }
        return Optional.empty();
    }

    Optional<Anchor> read() {
        Path file = file();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw PkiException.unavailable(
                    "audit_anchor_unreadable", "cannot read the audit anchor " + file + ": " + e);
        }
        Anchor a;
        byte[] signature;
        try {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : lines) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            a = new Anchor(Long.parseLong(fields.get("seq")), fields.get("hash"), Instant.parse(fields.get("at")));
            signature = Base64.getDecoder().decode(fields.get("signature"));
        } catch (RuntimeException e) {
            throw new TamperedException("TAMPERED: the audit anchor " + file + " is not an anchor ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!verifies(a, signature)) {
            throw new TamperedException("TAMPERED: the audit anchor " + file + " does not carry this HSM's signature");
        }
        return Optional.of(a);
    }

    private boolean verifies(Anchor a, byte[] signature) {
        SigningKey key;
        try {
            key = hsm.get().signingKey(KEY_ALIAS);
        } catch (RuntimeException e) {
            throw PkiException.unavailable(
                    Failures.HSM_UNAVAILABLE,
                    "cannot open the HSM (pki.hsm.*) to check the audit anchor: " + innermost(e));
        }
        try {
            Signature verifier = Signature.getInstance(key.signatureAlgorithm());
            verifier.initVerify(key.publicKey());
            verifier.update(a.signedText().getBytes(StandardCharsets.UTF_8));
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false; // a signature that is not even well-formed
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify the audit anchor: " + e, e);
        }
    }

    private static String innermost(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private Anchor write(AuditHead head) {
        Anchor anchor = new Anchor(head.seq(), head.hash(), clock.instant().truncatedTo(ChronoUnit.MILLIS));
        try {
            byte[] text = anchor.signedText().getBytes(StandardCharsets.UTF_8);
            ContentSigner signer = key().contentSigner();
            try (OutputStream out = signer.getOutputStream()) {
                out.write(text);
            }
            String content = anchor.signedText() + "signature="
                    + Base64.getEncoder().encodeToString(signer.getSignature()) + "\n";
            Path file = file().toAbsolutePath();
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".anchor", ".tmp");
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the audit anchor " + file() + ": " + e.getMessage(), e);
        }
        return anchor;
    }

    /** The anchor key, generated in the HSM (sensitive, non-extractable) on first use. */
    public synchronized SigningKey key() {
        KeyBackend keys = hsm.get();
        if (!keys.hasKey(KEY_ALIAS)) {
            keys.generate(KEY_ALIAS, KeyAlgorithm.EC_P256, pair -> {
                try {
                    Instant now = clock.instant();
                    return PlaceholderCertificate.of(
                            "HSM CA audit anchor",
                            BigInteger.valueOf(now.toEpochMilli()),
                            pair.getPublic(),
                            keys.selfSigner(pair, KeyAlgorithm.EC_P256),
                            now,
                            now.plus(36500, ChronoUnit.DAYS));
                } catch (Exception e) {
                    throw new HsmException("cannot certify the audit anchor key", e);
                }
            });
        }
        return keys.signingKey(KEY_ALIAS);
    }
}
