-- CA-driven renewal: when set, the certificate's renewal window starts then (an admin asked for early renewal,
-- e.g. after a key compromise or a CA change) instead of at two thirds of its lifetime.
ALTER TABLE certificates ADD COLUMN renew_requested_at TIMESTAMP WITH TIME ZONE;
