-- The SLRT loop (issue 19): the provider's link can be shown again on the case page to the
-- roles that may send referrals (ARCHITECTURE.md, "Referrals"), so the token is kept with the
-- referral; the hash stays the lookup key. Referrals sent before this have none: their link is
-- renewed with "buat tautan baru".
ALTER TABLE referrals ADD COLUMN token TEXT;
CREATE INDEX cases_opened ON cases (kode_wilayah, opened_at);
