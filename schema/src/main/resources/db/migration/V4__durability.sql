-- Durability and coordination between replicas.

-- At most one active CA certificate per role, enforced here, not by the code: active_role is the role while the row
-- is active and NULL otherwise (NULLs do not collide in a unique index, in PostgreSQL and H2 alike).
ALTER TABLE ca_certificates ADD COLUMN active_role VARCHAR(16);
-- Older data could hold two active rows of a role (a TLS renewal interrupted between its two commits): keep the newest.
UPDATE ca_certificates SET active_role = role
WHERE active = TRUE AND NOT EXISTS (
    SELECT 1 FROM ca_certificates n
    WHERE n.role = ca_certificates.role AND n.active = TRUE AND n.created_at > ca_certificates.created_at);
UPDATE ca_certificates SET active = FALSE WHERE active = TRUE AND active_role IS NULL;
ALTER TABLE ca_certificates ADD CONSTRAINT ca_certificates_active_role_check
    CHECK ((active = TRUE AND active_role = role) OR (active = FALSE AND active_role IS NULL));
CREATE UNIQUE INDEX ca_certificates_one_active ON ca_certificates (active_role);

-- CRL bookkeeping per CA role. 'revision' moves in the same transaction as every status change a CRL must show;
-- 'published_revision' is the revision the newest CRL covers (behind = a CRL is owed, even after a crash);
-- 'last_number' hands out CRL numbers under this row's lock, strictly increasing across replicas.
CREATE TABLE crl_state (
    role               VARCHAR(16) PRIMARY KEY,
    revision           BIGINT      NOT NULL,
    published_revision BIGINT      NOT NULL,
    last_number        BIGINT      NOT NULL
);
INSERT INTO crl_state (role, revision, published_revision, last_number)
    SELECT 'issuing', 0, 0, COALESCE(MAX(crl_number), 0) FROM crls;
INSERT INTO crl_state (role, revision, published_revision, last_number)
    SELECT 'root', 0, 0, COALESCE(MAX(crl_number), 0) FROM crls;

-- Leases for scheduled jobs that one replica at a time runs (the design of ShedLock's JDBC provider).
CREATE TABLE job_locks (
    name         VARCHAR(64)  PRIMARY KEY,
    holder       VARCHAR(128) NOT NULL,
    locked_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    locked_until TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The CRL reads the revoked certificates of one issuer in serial order.
CREATE INDEX certificates_crl ON certificates (issuer_id, status, serial);
