-- What a certificate's grant allowed, kept with the certificate so that every renewal carries it: the lifetime cap
-- (seconds; NULL for certificates from before, whose renewals are capped by their own lifetime) and URI names
-- (SPIFFE IDs), which only a grant can allow. Install tokens may grant client names (a subject CN that is not a
-- host name, e.g. agent-foo) and URI names.
ALTER TABLE certificates ADD COLUMN max_validity_seconds BIGINT;
ALTER TABLE certificates ADD COLUMN uris VARCHAR(4096);
ALTER TABLE install_tokens ADD COLUMN allowed_cn VARCHAR(1024);
ALTER TABLE install_tokens ADD COLUMN allowed_uris VARCHAR(4096);
