-- (issuer_id, serial) duplicated the primary key on serial: every lookup by both is a primary-key lookup, and each
-- issuance paid for one more index entry (and, on H2, one more page written at every commit).
DROP INDEX IF EXISTS certificates_issuer_serial;
