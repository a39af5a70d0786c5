package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.store.AuditEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** SHA-256 over the previous hash and each field, length-prefixed so no two entries encode alike. */
final class AuditHashes {
    static final String GENESIS = "0".repeat(64);

    private AuditHashes() {}

    static String hash(
            String prevHash,
            long seq,
            Instant at,
            String actor,
            String action,
            String subject,
            String outcome,
            String details) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            field(d, prevHash);
            d.update(ByteBuffer.allocate(16)
                    .putLong(seq)
                    .putLong(at.toEpochMilli())
                    .array());
            field(d, actor);
            field(d, action);
            field(d, subject);
            field(d, outcome);
            field(d, details);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hash(AuditEntry e) {
        return hash(e.prevHash(), e.seq(), e.at(), e.actor(), e.action(), e.subject(), e.outcome(), e.details());
    }

    private static void field(MessageDigest d, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        d.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        d.update(bytes);
    }
}
