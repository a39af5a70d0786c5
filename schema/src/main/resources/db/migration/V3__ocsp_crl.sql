-- Pre-signed OCSP responses (per certificate, one for SHA-1 and one for SHA-256 CertIDs, refreshed before
-- next_update) and generated CRLs.
-- The OCSP responder reads these; only the appliance writes them.

CREATE TABLE ocsp_responses (
    serial         VARCHAR(40) NOT NULL REFERENCES certificates (serial),
    hash_algorithm VARCHAR(8)  NOT NULL,
    issuer_id      VARCHAR(64) NOT NULL REFERENCES ca_certificates (id),
    status       VARCHAR(16) NOT NULL,
    this_update  TIMESTAMP WITH TIME ZONE NOT NULL,
    next_update  TIMESTAMP WITH TIME ZONE NOT NULL,
    response_der BYTEA       NOT NULL,
    PRIMARY KEY (serial, hash_algorithm)
);
CREATE INDEX ocsp_responses_next_update ON ocsp_responses (next_update);

CREATE TABLE crls (
    ca_id        VARCHAR(64) NOT NULL REFERENCES ca_certificates (id),
    crl_number   BIGINT      NOT NULL,
    this_update  TIMESTAMP WITH TIME ZONE NOT NULL,
    next_update  TIMESTAMP WITH TIME ZONE NOT NULL,
    entries      BIGINT      NOT NULL,
    crl_der      BYTEA       NOT NULL,
    PRIMARY KEY (ca_id, crl_number)
);

-- CA certificates that were revoked (an issuing CA, by the root) appear on the root's CRL.
ALTER TABLE ca_certificates ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE ca_certificates ADD COLUMN revocation_reason VARCHAR(32);
