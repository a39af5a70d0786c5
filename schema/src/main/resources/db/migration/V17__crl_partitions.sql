-- Partitioned and delta CRLs (RFC 5280 issuing distribution point, delta CRL indicator).
-- A certificate's CRL distribution point names its shard (its serial modulo pki.crl.shards when it was issued); NULL:
-- it names the full CRL only (issued before partitions, or a short-lived profile without revocation pointers).
ALTER TABLE certificates ADD COLUMN crl_shard INTEGER;
-- The CRL revision (crl_state) of the last status change a CRL must show, set in that change's transaction: a shard
-- or delta covering revision R shows every change up to R.
ALTER TABLE certificates ADD COLUMN crl_revision BIGINT;
CREATE INDEX certificates_crl_shard ON certificates (issuer_id, crl_shard, status, serial);
CREATE INDEX certificates_crl_revision ON certificates (issuer_id, crl_revision);

-- The revision a full CRL covers: the delta after it lists the changes past it.
ALTER TABLE crls ADD COLUMN covers_revision BIGINT;

-- The shards' and deltas' CRLs: part is the shard number, or -1 for the delta of the full CRL. A shard has its own
-- number sequence; a delta shares its full CRL's (crl_state), as RFC 5280 section 5.2.4 wants.
CREATE TABLE crl_parts (
    ca_id           VARCHAR(64) NOT NULL REFERENCES ca_certificates (id),
    part            INTEGER     NOT NULL,
    crl_number      BIGINT      NOT NULL,
    base_number     BIGINT,
    covers_revision BIGINT      NOT NULL,
    this_update     TIMESTAMP WITH TIME ZONE NOT NULL,
    next_update     TIMESTAMP WITH TIME ZONE NOT NULL,
    entries         BIGINT      NOT NULL,
    crl_der         BYTEA       NOT NULL,
    -- the URL a shard's issuing distribution point names: made again when pki.urls.crl-base changes
    named_url       VARCHAR(1024),
    PRIMARY KEY (ca_id, part, crl_number)
);

-- A shard's numbers, handed out under this row's lock (strictly increasing across replicas).
CREATE TABLE crl_shard_state (
    ca_id       VARCHAR(64) NOT NULL,
    shard       INTEGER     NOT NULL,
    last_number BIGINT      NOT NULL,
    PRIMARY KEY (ca_id, shard)
);
