-- Public status lookups are limited per client (a hash of its address), not for everyone at
-- once: one client guessing must not shut the page for every resident.
ALTER TABLE status_lookups ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX status_lookups_client ON status_lookups (client, at);
