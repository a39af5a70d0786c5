-- ACME (RFC 8555): every piece of state in the database, so any replica answers any request.

-- External Account Binding keys: each binds one ACME account to a service, a profile and the DNS names it may order.
CREATE TABLE acme_eab_keys (
    kid         VARCHAR(64)   PRIMARY KEY,
    hmac_key    VARCHAR(128)  NOT NULL,
    service     VARCHAR(63)   NOT NULL,
    profile     VARCHAR(64)   NOT NULL,
    allowed_dns VARCHAR(8192) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by  VARCHAR(256)  NOT NULL,
    account_id  VARCHAR(64),
    revoked_at  TIMESTAMP WITH TIME ZONE
);

CREATE TABLE acme_accounts (
    id         VARCHAR(64)   PRIMARY KEY,
    thumbprint VARCHAR(64)   NOT NULL,
    jwk        VARCHAR(4096) NOT NULL,
    status     VARCHAR(16)   NOT NULL,
    contact    VARCHAR(2048) NOT NULL,
    eab_kid    VARCHAR(64),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX acme_accounts_thumbprint ON acme_accounts (thumbprint);

CREATE TABLE acme_orders (
    id                 VARCHAR(64)   PRIMARY KEY,
    account_id         VARCHAR(64)   NOT NULL REFERENCES acme_accounts (id),
    status             VARCHAR(16)   NOT NULL,
    identifiers        VARCHAR(8192) NOT NULL,
    expires_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    certificate_serial VARCHAR(40),
    error              VARCHAR(2048),
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX acme_orders_account ON acme_orders (account_id, created_at);
CREATE INDEX acme_orders_expiry ON acme_orders (expires_at);

CREATE TABLE acme_authorizations (
    id         VARCHAR(64)  PRIMARY KEY,
    order_id   VARCHAR(64)  NOT NULL REFERENCES acme_orders (id),
    account_id VARCHAR(64)  NOT NULL,
    identifier VARCHAR(253) NOT NULL,
    wildcard   BOOLEAN      NOT NULL,
    status     VARCHAR(16)  NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX acme_authorizations_order ON acme_authorizations (order_id);
CREATE INDEX acme_authorizations_account ON acme_authorizations (account_id, status);

CREATE TABLE acme_challenges (
    id           VARCHAR(64)   PRIMARY KEY,
    authz_id     VARCHAR(64)   NOT NULL REFERENCES acme_authorizations (id),
    type         VARCHAR(16)   NOT NULL,
    token        VARCHAR(64)   NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    validated_at TIMESTAMP WITH TIME ZONE,
    error        VARCHAR(2048)
);
CREATE INDEX acme_challenges_authz ON acme_challenges (authz_id);

-- Replay nonces: one row each, deleted when used (one conditional DELETE: single use across replicas).
CREATE TABLE acme_nonces (
    nonce      VARCHAR(64) PRIMARY KEY,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX acme_nonces_expiry ON acme_nonces (expires_at);
