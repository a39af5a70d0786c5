package dev.hsmca.appliance.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface CertificateRepository extends CrudRepository<CertificateRecord, String> {

    /**
     * One page ordered by (not_after, serial), after the cursor position. {@code wanted} is one of
     * any, valid, revoked, expired (named apart from the {@code status} column, whose converter would claim it); expired and valid are judged against {@code now}. An empty service or enrollment key matches all.
     */
    @Query("""
            SELECT * FROM certificates
            WHERE (:wanted = 'any'
                   OR (:wanted = 'revoked' AND status = 'revoked')
                   OR (:wanted = 'valid' AND status = 'valid' AND not_after > :now)
                   OR (:wanted = 'expired' AND status = 'valid' AND not_after <= :now))
              AND (:service = '' OR service = :service)
              AND (:enrollKey = '' OR enroll_key_id = :enrollKey)
              AND not_after >= :minNotAfter AND not_after <= :maxNotAfter
              AND (not_after > :afterNotAfter OR (not_after = :afterNotAfter AND serial > :afterSerial))
            ORDER BY not_after, serial
            LIMIT :limit""")
    List<CertificateRecord> page(
            String wanted,
            String service,
            String enrollKey,
            Instant now,
            Instant minNotAfter,
            Instant maxNotAfter,
            Instant afterNotAfter,
            String afterSerial,
            int limit);

    /**
     * The certificate a service uses now: the valid one that expires last; of two that expire in the same second (a
     * renewal right after issuance, under the same lifetime cap) the one issued last.
     */
    @Query("""
            SELECT * FROM certificates WHERE service = :service AND status = 'valid' AND not_after > :now
            ORDER BY not_after DESC, created_at DESC, serial DESC LIMIT 1""")
    Optional<CertificateRecord> current(String service, Instant now);

    @Query("SELECT MAX(created_at) FROM certificates WHERE service = :service AND renewal_of IS NOT NULL")
    Optional<Instant> lastRenewal(String service);

    /** Opens the renewal window now for valid, unexpired certificates: one, a service's, or an issuer's. */
    @Query("""
            UPDATE certificates SET renew_requested_at = :at
            WHERE status = 'valid' AND not_after > :at
              AND (:serial = '' OR serial = :serial) AND (:service = '' OR service = :service)
              AND (:issuerId = '' OR issuer_id = :issuerId)""")
    int requestRenewal(String serial, String service, String issuerId, Instant at);

    /**
     * The row, locked until the transaction ends: a revocation of it waits (its update needs the lock), and what is
     * read is its last committed state. Renewal judges the certificate it renews so, the OCSP refresh what it signed.
     */
    @Query("SELECT * FROM certificates WHERE serial = :serial FOR UPDATE")
    Optional<CertificateRecord> lockById(String serial);

    @Query("""
            UPDATE certificates SET status = 'revoked', revoked_at = :at, revocation_reason = :reason
            WHERE serial = :serial AND status = 'valid'""")
    int revoke(String serial, Instant at, String reason);

    @Query("""
            UPDATE certificates SET revoked_at = :at, revocation_reason = :reason
            WHERE serial = :serial AND status = 'revoked' AND revocation_reason = 'certificateHold'""")
    int makeHoldPermanent(String serial, Instant at, String reason);

    @Query("""
            UPDATE certificates SET status = 'valid', revoked_at = NULL, revocation_reason = NULL
            WHERE serial = :serial AND status = 'revoked' AND revocation_reason = 'certificateHold'""")
    int releaseHold(String serial);
}
