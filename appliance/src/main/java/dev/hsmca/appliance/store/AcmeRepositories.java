package dev.hsmca.appliance.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.DataType;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import io.micronaut.data.repository.GenericRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The ACME tables' repositories. */
public final class AcmeRepositories {
    private AcmeRepositories() {}

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface EabKeys extends CrudRepository<AcmeEabKey, String> {
        @Query("SELECT * FROM acme_eab_keys ORDER BY created_at DESC, kid LIMIT :limit")
        List<AcmeEabKey> newest(int limit);

        /** Binds the key to its first account; an EAB key serves one account only. */
        @Query(
                "UPDATE acme_eab_keys SET account_id = :accountId WHERE kid = :kid AND account_id IS NULL AND revoked_at IS NULL")
        int bind(String kid, String accountId);

        @Query("UPDATE acme_eab_keys SET revoked_at = :at WHERE kid = :kid AND revoked_at IS NULL")
        int revoke(String kid, Instant at);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Accounts extends CrudRepository<AcmeAccount, String> {
        @Query("SELECT * FROM acme_accounts ORDER BY created_at DESC, id LIMIT :limit")
        List<AcmeAccount> newest(int limit);

        Optional<AcmeAccount> findByThumbprint(String thumbprint);

        @Query("UPDATE acme_accounts SET contact = :contact WHERE id = :id")
        void updateContact(String id, String contact);

        /** By the account itself, from valid only (an admin's revocation is final). */
        @Query("UPDATE acme_accounts SET status = :newStatus WHERE id = :id AND status = 'valid'")
        void updateStatus(
                String id,
                @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Account.class)
                        AcmeAccount.Status newStatus);

        @Query("UPDATE acme_accounts SET jwk = :jwk, thumbprint = :thumbprint WHERE id = :id")
        void updateKey(String id, String jwk, String thumbprint);

        /** By an admin (RFC 8555 {@code revoked}): final, whatever the status was. */
        @Query("UPDATE acme_accounts SET status = 'revoked' WHERE id = :id AND status <> 'revoked'")
        int revoke(String id);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Orders extends CrudRepository<AcmeOrder, String> {
        @Query("SELECT COUNT(*) FROM acme_orders WHERE account_id = :accountId AND created_at > :since")
        long countSince(String accountId, Instant since);

        @Query("UPDATE acme_orders SET status = :newStatus WHERE id = :id AND status = :expected")
        int transition(
                String id,
                @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Order.class)
                        AcmeOrder.Status expected,
                @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Order.class)
                        AcmeOrder.Status newStatus);

        @Query(
                "UPDATE acme_orders SET status = 'valid', certificate_serial = :serial WHERE id = :id AND status = 'processing'")
        int issued(String id, String serial);

        @Query("UPDATE acme_orders SET status = 'invalid', error = :error WHERE id = :id")
        void failed(String id, String error);

        @Query("DELETE FROM acme_orders WHERE expires_at < :before AND status IN ('pending', 'invalid', 'ready')")
        int purgeExpired(Instant before);

        Optional<AcmeOrder> findByCertificateSerial(String certificateSerial);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Authorizations extends CrudRepository<AcmeAuthorization, String> {
        List<AcmeAuthorization> findByOrderId(String orderId);

        @Query(
                "SELECT COUNT(*) FROM acme_authorizations WHERE account_id = :accountId AND status = 'pending' AND expires_at > :now")
        long countPending(String accountId, Instant now);

        @Query("UPDATE acme_authorizations SET status = :newStatus WHERE id = :id AND status = 'pending'")
        int settle(
                String id,
                @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Authorization.class)
                        AcmeAuthorization.Status newStatus);

        @Query(
                "DELETE FROM acme_authorizations WHERE order_id IN (SELECT id FROM acme_orders WHERE expires_at < :before AND status IN ('pending', 'invalid', 'ready'))")
        int purgeForExpiredOrders(Instant before);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Challenges extends CrudRepository<AcmeChallenge, String> {
        List<AcmeChallenge> findByAuthzId(String authzId);

        /** pending → processing, once: of two concurrent POSTs one starts the validation. */
        @Query("UPDATE acme_challenges SET status = 'processing' WHERE id = :id AND status = 'pending'")
        int start(String id);

        @Query(
                "UPDATE acme_challenges SET status = :newStatus, validated_at = :at, error_type = :errorType, error_detail = :errorDetail WHERE id = :id AND status = 'processing'")
        int finish(
                String id,
                @TypeDef(type = DataType.STRING, converter = AcmeStatusConverters.Challenge.class)
                        AcmeChallenge.Status newStatus,
                Instant at,
                @Nullable String errorType,
                @Nullable String errorDetail);

        /**
         * Claims the validation of a processing challenge until {@code until}, when nobody holds it: never claimed,
         * or the claim has lapsed (its replica stopped, or deferred it). Of two replicas one gets it.
         */
        @Query(
                "UPDATE acme_challenges SET validation_claim = :claim, validation_until = :until WHERE id = :id AND status = 'processing' AND (validation_until IS NULL OR validation_until < :now)")
        int claim(String id, String claim, Instant until, Instant now);

        /** Extends this claim; 0 when the challenge was settled or another replica took it over. */
        @Query(
                "UPDATE acme_challenges SET validation_until = :until WHERE id = :id AND status = 'processing' AND validation_claim = :claim")
        int renew(String id, String claim, Instant until);

        /** Gives the claim up as of {@code at}: taken up again after those given up (or lapsed) earlier. */
        @Query(
                "UPDATE acme_challenges SET validation_claim = NULL, validation_until = :at WHERE id = :id AND validation_claim = :claim")
        int release(String id, String claim, Instant at);

        /** Processing challenges nobody validates now, those waiting longest (or never claimed) first. */
        @Query(
                "SELECT id, authz_id, type, token, status, validated_at, error_type, error_detail FROM acme_challenges WHERE status = 'processing' AND (validation_until IS NULL OR validation_until < :now) ORDER BY validation_until NULLS FIRST LIMIT :limit")
        List<AcmeChallenge> unclaimed(Instant now, int limit);

        @Query(
                "DELETE FROM acme_challenges WHERE authz_id IN (SELECT a.id FROM acme_authorizations a JOIN acme_orders o ON o.id = a.order_id WHERE o.expires_at < :before AND o.status IN ('pending', 'invalid', 'ready'))")
        int purgeForExpiredOrders(Instant before);
    }

    /** Rows appliances before V11 wrote; purged while a rolling upgrade may still add some. */
    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Nonces extends GenericRepository<AcmeNonce, String> {
        @Query("DELETE FROM acme_nonces WHERE expires_at <= :now")
        int purge(Instant now);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface NonceKeys extends GenericRepository<AcmeNonceKey, String> {
        Optional<AcmeNonceKey> findById(String id);

        AcmeNonceKey save(AcmeNonceKey key);
    }
}
