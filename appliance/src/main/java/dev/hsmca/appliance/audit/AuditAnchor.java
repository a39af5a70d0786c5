package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.store.AuditEntry;

import dev.hsmca.appliance.store.AuditHead;

import dev.hsmca.appliance.store.AuditRepository;
import dev.hsmca.hsm.HsmException;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.SigningKey;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The audit chain's head (sequence and hash), signed with a key of its own in the HSM and written to a file on
 * this host, where a restore or rollback of the database cannot reach. The database must always hold that entry
 * with that hash: when it does not, entries the appliance committed (and clients were told about) are gone, and
 * {@link #check()} says so as loudly as an edited entry.
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

    /** The result of comparing the database with the anchor; {@code problem} is empty when they agree. */
    public record Check(Optional<Anchor> anchor, long databaseHead, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    private final Provider<KeyBackend> tokens; // opened only when there is an anchor to sign or check
    private final AuditRepository repository;
    private final AuditConfig config;
    private final Clock clock;

    public AuditAnchor(Provider<KeyBackend> tokens, AuditRepository repository, AuditConfig config, Clock clock) {
        this.tokens = tokens;
        this.repository = repository;
        this.config = config;
        this.clock = clock;
    }

    public Path file() {
        return Path.of(config.anchorFile());
    }

    /**
     * Signs the database's current head and writes it, unless it is still at {@code lastAnchored}; the anchor it
     * wrote, or empty (an empty log, or nothing new).
     */
    @Transactional(readOnly = true)
    public Optional<Anchor> anchorHead(long lastAnchored) {
        AuditHead head = repository.head();
        if (head.seq() == 0 || head.seq() == lastAnchored) {
            return Optional.empty();
        }
        Anchor anchor = new Anchor(head.seq(), head.hash(), clock.instant().truncatedTo(ChronoUnit.MILLIS));
        write(anchor);
        return Optional.of(anchor);
    }

    /** Compares the database with the anchor file (absent: nothing to compare, which is fine on a new host). */
    @Transactional(readOnly = true)
    public Check check() {
        long head = repository.head().seq();
        Optional<Anchor> anchor;
        try {
            anchor = read();
        } catch (IllegalStateException e) {
            return new Check(Optional.empty(), head, Optional.of(e.getMessage()));
        }
        if (anchor.isEmpty()) {
            return new Check(anchor, head, Optional.empty());
        }
        Anchor a = anchor.get();
        Optional<AuditEntry> entry = repository.findById(a.seq());
        if (entry.isEmpty() || head < a.seq()) {
            return new Check(anchor, head, Optional.of("ROLLBACK: the database's audit log ends at entry " + head
                    + ", but on " + a.at() + " it held entry " + a.seq() + " (anchor " + file() + "): "
                    + "everything committed after entry " + head + " is gone from the store"));
        }
        if (!entry.get().hash().equals(a.hash())) {
            return new Check(anchor, head, Optional.of("ROLLBACK or REPLACEMENT: entry " + a.seq()
                    + " differs from the one anchored on " + a.at() + " (anchor " + file() + ")"));
        }
        return new Check(anchor, head, Optional.empty());
    }

    Optional<Anchor> read() {
        Path file = file();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            Anchor a = new Anchor(Long.parseLong(fields.get("seq")), fields.get("hash"), Instant.parse(fields.get("at")));
            byte[] signature = Base64.getDecoder().decode(fields.get("signature"));
            SigningKey key = tokens.get().signingKey(KEY_ALIAS);
            Signature verifier = Signature.getInstance(key.signatureAlgorithm());
            verifier.initVerify(key.publicKey());
            verifier.update(a.signedText().getBytes(StandardCharsets.UTF_8));
            if (!verifier.verify(signature)) {
                throw new IllegalStateException("TAMPERED: the audit anchor " + file + " does not carry this HSM's signature");
            }
            return Optional.of(a);
        } catch (HsmException e) {
            throw e;
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("TAMPERED or unreadable audit anchor " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private void write(Anchor anchor) {
        try {
            byte[] text = anchor.signedText().getBytes(StandardCharsets.UTF_8);
            ContentSigner signer = key().contentSigner();
            try (OutputStream out = signer.getOutputStream()) {
                out.write(text);
            }
            String content = anchor.signedText() + "signature=" + Base64.getEncoder().encodeToString(signer.getSignature()) + "\n";
            Path file = file().toAbsolutePath();
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".anchor", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the audit anchor " + file() + ": " + e.getMessage(), e);
        }
    }

    /** The anchor key, generated in the HSM (sensitive, non-extractable) on first use. */
    public synchronized SigningKey key() {
        KeyBackend token = tokens.get();
        if (!token.hasKey(KEY_ALIAS)) {
            token.generate(KEY_ALIAS, KeyAlgorithm.EC_P256, pair -> {
                try {
                    Instant now = clock.instant();
                    X500Name name = new X500Name("CN=HSM CA audit anchor");
                    ContentSigner self = token.selfSigner(pair, KeyAlgorithm.EC_P256);
                    return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                            BigInteger.valueOf(now.toEpochMilli()), Date.from(now), Date.from(now.plus(36500, ChronoUnit.DAYS)),
                            name, pair.getPublic()).build(self));
                } catch (Exception e) {
                    throw new HsmException("cannot certify the audit anchor key", e);
                }
            });
        }
        return token.signingKey(KEY_ALIAS);
    }
}
