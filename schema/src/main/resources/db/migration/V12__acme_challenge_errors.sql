-- A failed challenge's problem is kept as its RFC 8555 type (the short name after urn:ietf:params:acme:error:, such
-- as dns or connection) and its detail, no longer as one "urn:ietf:params:acme:error:<type>: <detail>" text split
-- again whenever it is read. Errors stored before move over, split at the first ": " as they were read; any other
-- text (none was written) becomes the detail of an unauthorized problem, as it was shown.
-- The error column is no longer written; appliances of the version before still read it during a rolling upgrade,
-- and a later migration drops it.
ALTER TABLE acme_challenges ADD COLUMN error_type VARCHAR(64);
ALTER TABLE acme_challenges ADD COLUMN error_detail VARCHAR(2048);

-- the type starts at character 28, after the 27 of urn:ietf:params:acme:error:, and is 1 to 64 characters long
UPDATE acme_challenges
   SET error_type = SUBSTRING(error FROM 28 FOR POSITION(': ' IN error) - 28),
       error_detail = SUBSTRING(error FROM POSITION(': ' IN error) + 2)
 WHERE error LIKE 'urn:ietf:params:acme:error:%' AND POSITION(': ' IN error) BETWEEN 29 AND 92;
UPDATE acme_challenges
   SET error_type = 'unauthorized', error_detail = error
 WHERE error IS NOT NULL AND error_type IS NULL;
