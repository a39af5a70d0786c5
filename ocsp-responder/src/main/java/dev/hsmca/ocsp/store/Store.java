package dev.hsmca.ocsp.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;
import java.util.Optional;

/**
 * Everything the responder reads. It never writes. Its database role may read these columns and no others (the
 * schema's {@code db.callback.ResponderGrants}): name the columns, never {@code SELECT *}.
 */
public final class Store {
    static final String ISSUER_COLUMNS =
            "id, role, parent_id, serial, name_hash_sha1, key_hash_sha1, name_hash_sha256, "
                    + "key_hash_sha256, not_after, certificate_der, active";
    static final String PRESIGNED_COLUMNS =
            "serial, hash_algorithm, issuer_id, status, this_update, next_update, response_der";
    static final String CRL_COLUMNS = "ca_id, crl_number, this_update, next_update, entries, crl_der";
    static final String PART_COLUMNS = "ca_id, part, crl_number, this_update, next_update, entries, crl_der";

    private Store() {}

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Issuers extends GenericRepository<IssuerRow, String> {
        Optional<IssuerRow> findById(String id);

        @Query("SELECT " + ISSUER_COLUMNS + " FROM ca_certificates WHERE role IN ('issuing', 'root')")
        List<IssuerRow> caCertificates();

        @Query("SELECT " + ISSUER_COLUMNS + " FROM ca_certificates WHERE role = :role AND active = TRUE")
        Optional<IssuerRow> active(String role);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Statuses extends GenericRepository<StatusRow, String>, StatusLookup {
        @Override
        @Query(
                "SELECT serial, issuer_id, status, not_after, revoked_at, revocation_reason FROM certificates WHERE serial = :serial AND issuer_id = :issuerId")
        Optional<StatusRow> find(String serial, String issuerId);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Presigned extends GenericRepository<PresignedRow, PresignedRow.Key>, PresignedLookup {
        @Query("SELECT " + PRESIGNED_COLUMNS
                + " FROM ocsp_responses WHERE serial = :serial AND hash_algorithm = :hash AND issuer_id = :issuerId")
        @Override
        Optional<PresignedRow> find(String serial, String hash, String issuerId);

        /** A few serials with pre-signed responses (for the warm-up). */
        @Query("SELECT DISTINCT serial FROM ocsp_responses WHERE issuer_id = :issuerId LIMIT 3")
        List<String> someSerials(String issuerId);
    }

    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface Crls extends GenericRepository<CrlRow, CrlRow.Key> {
        @Query("SELECT " + CRL_COLUMNS + " FROM crls WHERE ca_id = :caId ORDER BY crl_number DESC LIMIT 1")
        Optional<CrlRow> latest(String caId);

        /** The newest full CRL's number: checked per request, the bytes read only when it changed. */
        @Query("SELECT MAX(crl_number) FROM crls WHERE ca_id = :caId")
        Optional<Long> latestNumber(String caId);

        @Query("SELECT " + CRL_COLUMNS + " FROM crls WHERE ca_id = :caId AND crl_number = :number")
        Optional<CrlRow> find(String caId, long number);
    }

    /** Shard CRLs ({@code part} = the shard) and the delta ({@code part} = -1). */
    @JdbcRepository(dialect = Dialect.POSTGRES)
    public interface CrlParts extends GenericRepository<CrlPartRow, CrlPartRow.Key> {
        @Query("SELECT MAX(crl_number) FROM crl_parts WHERE ca_id = :caId AND part = :part")
        Optional<Long> latestNumber(String caId, int part);

        @Query("SELECT " + PART_COLUMNS
                + " FROM crl_parts WHERE ca_id = :caId AND part = :part AND crl_number = :number")
        Optional<CrlPartRow> find(String caId, int part, long number);
    }
}
