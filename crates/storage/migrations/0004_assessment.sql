-- Welfare assessment results (issue 4): a summary per family and the gap lists per program.
-- Derived data: recomputed from the registry and the rule files by `puskesos assess` and after
-- every edit or import, never edited by hand and never synced (each node recomputes). The
-- village code leads every key, as in the registry.
CREATE TABLE assessments (
    kode_wilayah TEXT NOT NULL,
    family_id TEXT NOT NULL,
    bps14_met BIGINT NOT NULL,
    bps14_verdict TEXT NOT NULL,
    fakir_miskin TEXT NOT NULL,
    pengeluaran_perkapita BIGINT,
    desil_lokal BIGINT,
    desil_efektif BIGINT,
    desil_beda BIGINT NOT NULL,
    layak TEXT NOT NULL,
    nilai_setahun BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, family_id)
);

-- One row per family and program where what it should get and what it gets differ
-- (exclusion, inclusion) or the data do not decide (undecided).
CREATE TABLE program_gaps (
    kode_wilayah TEXT NOT NULL,
    program TEXT NOT NULL,
    gap TEXT NOT NULL,
    family_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, program, gap, family_id)
);

-- Each village's last full assessment: when, under which rules, and its local decile
-- boundaries (used to place a single family reassessed after an edit).
CREATE TABLE assessment_runs (
    kode_wilayah TEXT NOT NULL PRIMARY KEY,
    assessed_at BIGINT NOT NULL,
    rules TEXT NOT NULL,
    cutoffs TEXT
);
