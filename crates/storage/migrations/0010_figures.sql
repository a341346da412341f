-- The figures of the data and information centre (issue 6).
-- What each family receives and where the data was too thin to decide, beside `layak`, so that
-- coverage and gaps can be counted for any RT/RW from one table.
ALTER TABLE assessments ADD COLUMN menerima TEXT;
ALTER TABLE assessments ADD COLUMN kurang_data TEXT;

-- Per village and program: the tallies of its last assessment, refreshed in the same
-- transaction as every write of the village's assessments (batch, import, each edit), so that
-- a district roll-up reads a few hundred rows instead of a million families.
CREATE TABLE village_program_stats (
    kode_wilayah TEXT NOT NULL,
    program TEXT NOT NULL,
    families BIGINT NOT NULL,
    people BIGINT NOT NULL,
    eligible BIGINT NOT NULL,
    receiving BIGINT NOT NULL,
    covered BIGINT NOT NULL,
    exclusion BIGINT NOT NULL,
    inclusion BIGINT NOT NULL,
    undecided BIGINT NOT NULL,
    exclusion_amount BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, program)
);

CREATE INDEX referrals_due ON referrals (kode_wilayah, status, due_at);
CREATE INDEX changes_at ON changes (kode_wilayah, at);
