-- Enrollment keys: a reusable, scoped credential (hek_<id>_<secret>), one per service, deployed as a secret. Only the
-- SHA-256 of the secret is kept. Each use is one issuance; the use is counted by a conditional UPDATE in the
-- issuance's write (uses < max_uses, and within the hour's window: window_uses < per_hour, the window starting again
-- at the first use an hour or more after window_start), so concurrent uses never pass the limits. Not granted to
-- the OCSP responder's role (db/callback/ResponderGrants grants only what it lists).
CREATE TABLE enroll_keys (
    id                   VARCHAR(32)   PRIMARY KEY,
    secret_hash          VARCHAR(64)   NOT NULL,
    service              VARCHAR(63)   NOT NULL,
    allowed_dns          VARCHAR(8192) NOT NULL,
    allowed_ips          VARCHAR(2048) NOT NULL,
    profile              VARCHAR(64)   NOT NULL,
    max_validity_seconds BIGINT        NOT NULL,
    max_uses             INTEGER,
    per_hour             INTEGER,
    uses                 INTEGER       NOT NULL,
    window_start         TIMESTAMP WITH TIME ZONE NOT NULL,
    window_uses          INTEGER       NOT NULL,
    expires_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by           VARCHAR(128)  NOT NULL,
    last_used_at         TIMESTAMP WITH TIME ZONE,
    last_serial          VARCHAR(40),
    revoked_at           TIMESTAMP WITH TIME ZONE,
    label                VARCHAR(128)
);
CREATE INDEX enroll_keys_service ON enroll_keys (service);
-- The key each certificate was issued under, carried by its renewals (NULL for any other grant): a renewal of a
-- certificate whose key is revoked is refused, and an administrator finds what a leaked key issued. Not granted to
-- the OCSP responder's role (it reads only the columns ResponderGrants lists).
ALTER TABLE certificates ADD COLUMN enroll_key_id VARCHAR(32);
CREATE INDEX certificates_enroll_key ON certificates (enroll_key_id);
