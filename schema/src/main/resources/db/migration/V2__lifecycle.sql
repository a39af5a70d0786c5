-- Enrollment tokens, the service registry and the tamper-evident audit log.

CREATE TABLE install_tokens (
    id                VARCHAR(32)   PRIMARY KEY,
    secret_hash       VARCHAR(64)   NOT NULL,
    service           VARCHAR(63)   NOT NULL,
    allowed_dns       VARCHAR(8192) NOT NULL,
    allowed_ips       VARCHAR(2048) NOT NULL,
    profile           VARCHAR(64)   NOT NULL,
    max_validity_days INTEGER       NOT NULL,
    expires_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by        VARCHAR(128)  NOT NULL,
    used_at           TIMESTAMP WITH TIME ZONE,
    used_serial       VARCHAR(40),
    revoked_at        TIMESTAMP WITH TIME ZONE
);
CREATE INDEX install_tokens_service ON install_tokens (service);

CREATE TABLE services (
    service          VARCHAR(63)    PRIMARY KEY,
    display_name     VARCHAR(256)   NOT NULL,
    endpoints        VARCHAR(16384) NOT NULL,
    health_check_url VARCHAR(2048),
    metadata         VARCHAR(16384) NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    last_renewal_at  TIMESTAMP WITH TIME ZONE
);

-- Append-only: each entry carries the hash of the one before (hash chain). audit_head is the single row
-- every appender locks, so entries are chained in commit order.
CREATE TABLE audit_log (
    seq       BIGINT        PRIMARY KEY,
    at        TIMESTAMP WITH TIME ZONE NOT NULL,
    actor     VARCHAR(256)  NOT NULL,
    action    VARCHAR(64)   NOT NULL,
    subject   VARCHAR(512)  NOT NULL,
    outcome   VARCHAR(32)   NOT NULL,
    details   VARCHAR(4096) NOT NULL,
    prev_hash VARCHAR(64)   NOT NULL,
    hash      VARCHAR(64)   NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
    id   INTEGER     PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    hash VARCHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- A renewal points at the certificate it replaced.
ALTER TABLE certificates ADD COLUMN renewal_of VARCHAR(40);
