-- Issue 18: one reference date per assessment, stored with it; amounts that are not known;
-- the registry facts RS-RTLH needs (the head's KTP, ownership of the house's land).
-- The day an assessment was run for (ages, rules in force): per village run and per family.
ALTER TABLE assessment_runs ADD COLUMN tanggal_acuan TEXT;
ALTER TABLE assessments ADD COLUMN tanggal_acuan TEXT;
-- 0 when a gap row's amount is not known (undecided, or a fact of the amount missing): its
-- `amount` is then only the known part and is not added to the totals as an answer.
ALTER TABLE program_gaps ADD COLUMN amount_known BIGINT;
-- Registry facts (model.rs): the land under the house is the family's own; a member holds a KTP.
ALTER TABLE families ADD COLUMN lahan_milik_sendiri BIGINT;
ALTER TABLE persons ADD COLUMN punya_ktp BIGINT;
