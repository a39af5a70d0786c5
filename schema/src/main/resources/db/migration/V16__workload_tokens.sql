-- Workload tokens exchanged for a certificate (pki.workload.issuers): one certificate per token, the use recorded
-- in the issuance's write, keyed by issuer and jti, so a replayed token (also two racing uses) is refused by the
-- primary key. A row is kept while the token could still be presented (until it expires) and deleted after. Not
-- granted to the OCSP responder's role.
CREATE TABLE workload_tokens (
    id         VARCHAR(400)  PRIMARY KEY,
    issuer     VARCHAR(64)   NOT NULL,
    jti        VARCHAR(300)  NOT NULL,
    subject    VARCHAR(256)  NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    serial     VARCHAR(40)   NOT NULL
);
CREATE INDEX workload_tokens_expires ON workload_tokens (expires_at);
CREATE INDEX workload_tokens_serial ON workload_tokens (serial);
-- Which workload (issuer and subject) a service made by the templates belongs to: the first to get a certificate for
-- it. Another subject whose templates make the same service ({namespace}-{name}: shop/api-db and shop-api/db) is
-- refused, as is a service that already has certificates from another credential: a service's holders may revoke
-- its certificates and edit its registry entry, so two owners would be one attack away.
CREATE TABLE workload_services (
    service    VARCHAR(63)   PRIMARY KEY,
    issuer     VARCHAR(64)   NOT NULL,
    subject    VARCHAR(256)  NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
