-- Issue 18: the district roll-up keeps the families whose exclusion amount is not known apart
-- from the rupiah it adds up (which are known amounts only).
ALTER TABLE village_program_stats ADD COLUMN exclusion_unknown BIGINT NOT NULL DEFAULT 0;
