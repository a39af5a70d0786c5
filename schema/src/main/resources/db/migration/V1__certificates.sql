-- The schema is the contract between the appliance and the OCSP responder: keep it portable
-- (PostgreSQL, and H2 in PostgreSQL mode).

CREATE TABLE ca_certificates (
    id               VARCHAR(64)  PRIMARY KEY,
    role             VARCHAR(16)  NOT NULL,
    key_alias        VARCHAR(64)  NOT NULL,
    subject_dn       VARCHAR(1024) NOT NULL,
    serial           VARCHAR(40)  NOT NULL,
    parent_id        VARCHAR(64),
    key_algorithm    VARCHAR(32)  NOT NULL,
    name_hash_sha1   VARCHAR(40)  NOT NULL,
    key_hash_sha1    VARCHAR(40)  NOT NULL,
    name_hash_sha256 VARCHAR(64)  NOT NULL,
    key_hash_sha256  VARCHAR(64)  NOT NULL,
    not_before       TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after        TIMESTAMP WITH TIME ZONE NOT NULL,
    certificate_der  BYTEA        NOT NULL,
    active           BOOLEAN      NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ca_certificates_sha1 ON ca_certificates (name_hash_sha1, key_hash_sha1);
CREATE INDEX ca_certificates_sha256 ON ca_certificates (name_hash_sha256, key_hash_sha256);
CREATE INDEX ca_certificates_role ON ca_certificates (role, active);

CREATE TABLE certificates (
    serial            VARCHAR(40)   PRIMARY KEY,
    issuer_id         VARCHAR(64)   NOT NULL REFERENCES ca_certificates (id),
    subject_dn        VARCHAR(1024) NOT NULL,
    dns_names         VARCHAR(8192) NOT NULL,
    ip_addresses      VARCHAR(2048) NOT NULL,
    profile           VARCHAR(64)   NOT NULL,
    service           VARCHAR(63),
    status            VARCHAR(16)   NOT NULL,
    not_before        TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after         TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at        TIMESTAMP WITH TIME ZONE,
    revocation_reason VARCHAR(32),
    certificate_der   BYTEA         NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT certificates_status_check CHECK (status IN ('valid', 'revoked'))
);
CREATE UNIQUE INDEX certificates_issuer_serial ON certificates (issuer_id, serial);
CREATE INDEX certificates_expiry ON certificates (not_after, serial);
CREATE INDEX certificates_service ON certificates (service);
