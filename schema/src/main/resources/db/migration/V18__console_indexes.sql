-- The operator console (/ui/): issuance per hour over the last day, and a certificate's audit entries.
CREATE INDEX certificates_created ON certificates (created_at);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
