-- When a service's certificate holder last polled its renewal window (agents, clients), for the registry and the
-- quiet-service alert; and a label an install token carries (the integration notes' controller_name).
ALTER TABLE services ADD COLUMN last_seen_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE install_tokens ADD COLUMN label VARCHAR(128);
