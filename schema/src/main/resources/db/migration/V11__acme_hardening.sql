-- ACME validations survive a restart: a processing challenge is claimed by the replica validating it until
-- validation_until; a claim that lapses (its replica stopped, or had no room and deferred it) is taken up again
-- by any replica. The index finds those without reading every challenge.
ALTER TABLE acme_challenges ADD COLUMN validation_claim VARCHAR(32);
ALTER TABLE acme_challenges ADD COLUMN validation_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX acme_challenges_processing ON acme_challenges (status, validation_until);
