-- The operator console (/ui/): issuance per hour over the last day, and a certificate's audit entries.
CREATE INDEX certificates_created ON certificates (created_at);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
-- A service's current certificate and its last renewal (the registry, the console's services and quiet services):
-- one index probe each, not a walk over every certificate the service ever had. They replace the index on service.
CREATE INDEX certificates_service_expiry ON certificates (service, not_after);
CREATE INDEX certificates_service_created ON certificates (service, created_at);
DROP INDEX certificates_service;
-- The renewals of a certificate (its page in the console).
CREATE INDEX certificates_renewal_of ON certificates (renewal_of);
