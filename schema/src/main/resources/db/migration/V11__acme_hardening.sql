-- ACME validations survive a restart: a processing challenge is claimed by the replica validating it until
-- validation_until; a claim that lapses (its replica stopped, or had no room and deferred it) is taken up again
-- by any replica. The index finds those without reading every challenge.
ALTER TABLE acme_challenges ADD COLUMN validation_claim VARCHAR(32);
ALTER TABLE acme_challenges ADD COLUMN validation_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX acme_challenges_processing ON acme_challenges (status, validation_until);

-- Replay nonces are no longer rows: each is time-stamped and MACed with this key, made once by the first replica
-- that needs it and shared by all, so any replica accepts any replica's nonces; use once is remembered in memory
-- for a nonce's short lifetime. A newNonce writes nothing. acme_nonces is no longer written (appliances of this
-- version only purge what older ones left during a rolling upgrade); a later migration drops it.
CREATE TABLE acme_nonce_keys (
    id         VARCHAR(16) PRIMARY KEY,
    secret     VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
