package dev.hsmca.appliance.crl;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CaRole;
import dev.hsmca.appliance.revocation.RevocationReason;
import dev.hsmca.appliance.x509.Extensions;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import org.bouncycastle.asn1.x500.X500Name;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Issues full CRLs for the issuing CA (its revoked, unexpired certificates) and the root (revoked CA
 * certificates), signed in the HSM, stored for the OCSP responder to serve.
 */
@Singleton
public class CrlService {
    private static final Logger LOG = LoggerFactory.getLogger(CrlService.class);

    public record Issued(String caId, long number, long entries, long bytes, Instant nextUpdate, long millis) {
    }

    private final CaHierarchy ca;
    private final CrlRepository crls;
    private final DataSource dataSource;
    private final CrlConfig config;
    private final AuditLog audit;
    private final Clock clock;

    public CrlService(CaHierarchy ca, CrlRepository crls, DataSource dataSource, CrlConfig config, AuditLog audit, Clock clock) {
        this.ca = ca;
        this.crls = crls;
        this.dataSource = dataSource;
        this.config = config;
        this.audit = audit;
        this.clock = clock;
    }

    /** Both CRLs, the issuing CA's and the root's. */
    public List<Issued> generateAll(String actor) {
        return List.of(generate(CaRole.ISSUING, actor), generate(CaRole.ROOT, actor));
    }

    @Transactional
    public synchronized Issued generate(CaRole role, String actor) {
        long start = System.nanoTime();
        CaHierarchy.Member member = ca.member(role);
        String caId = member.id();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant next = now.plus(Duration.ofDays(config.validityDays()));
        long number = crls.lastNumber(caId) + 1;
        try {
            Path dir = Files.createDirectories(Path.of(config.workDir()));
            Path file = dir.resolve(caId + ".crl");
            boolean root = role == CaRole.ROOT;
            String sql = root
                    ? "SELECT serial, revoked_at, revocation_reason FROM ca_certificates WHERE parent_id = ? AND revoked_at IS NOT NULL ORDER BY serial"
                    : "SELECT serial, revoked_at, revocation_reason FROM certificates WHERE issuer_id = ? AND status = 'revoked' AND not_after > ? ORDER BY serial";
            CrlWriter.Result result = CrlWriter.write(X500Name.getInstance(member.certificate().getSubjectX500Principal().getEncoded()),
                    Extensions.keyIdOf(member.certificate()), BigInteger.valueOf(number), now, next,
                    consumer -> stream(sql, caId, root ? null : now, consumer), member.key().contentSigner(), file);
            crls.save(new CrlRecord(new CrlRecord.Key(caId, number), now, next, result.entries(), Files.readAllBytes(file)));
            crls.prune(caId, number - 10);
            audit.record(actor, "crl.issue", "crl:" + caId, AuditLog.OK, "number=" + number + " entries=" + result.entries());
            long millis = (System.nanoTime() - start) / 1_000_000;
            LOG.info("CRL {} #{} issued: {} entries, {} bytes, {} ms", caId, number, result.entries(), result.bytes(), millis);
            return new Issued(caId, number, result.entries(), result.bytes(), next, millis);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the CRL for " + caId + ": " + e.getMessage(), e);
        }
    }

    /** Whether the latest CRL of this CA is older than the reissue interval (or missing). */
    public boolean due(CaRole role) {
        String caId = ca.member(role).id();
        return crls.lastIssued(caId).map(t -> t.plus(Duration.ofHours(config.reissueHours())).isBefore(clock.instant()))
                .orElse(true);
    }

    /** Streams the rows; {@code unexpiredAt}, when given, binds the second parameter (only unexpired certificates). */
    private void stream(String sql, String caId, Instant unexpiredAt, java.util.function.Consumer<CrlWriter.Entry> consumer) {
        Connection c;
        try {
            c = dataSource.getConnection();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, caId);
                if (unexpiredAt != null) {
                    s.setTimestamp(2, Timestamp.from(unexpiredAt));
                }
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String reason = rs.getString(3);
                        consumer.accept(new CrlWriter.Entry(new BigInteger(rs.getString(1), 16),
                                rs.getTimestamp(2).toInstant(), reason == null ? -1 : RevocationReason.parse(reason).code(), null));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read revocations: " + e.getMessage(), e);
        }
    }
}
