-- The PSKS register (issue 19): the provider directory grown into the village's register of
-- social welfare potentials and resources (TKSK, PSM, Karang Taruna, LKS, WKSBM, companies'
-- CSR, volunteers, service providers). Entries are retired, never deleted (old referrals keep
-- naming them); every creation, edit and retirement is a row of `provider_changes`.
ALTER TABLE providers ADD COLUMN services TEXT;
ALTER TABLE providers ADD COLUMN capacity TEXT;
ALTER TABLE providers ADD COLUMN area TEXT;
ALTER TABLE providers ADD COLUMN retired_at BIGINT;
ALTER TABLE providers ADD COLUMN retired_reason TEXT;

-- One row per field changed (a creation: one row per field set; a retirement: `status`).
CREATE TABLE provider_changes (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX provider_changes_provider ON provider_changes (kode_wilayah, provider_id, id);
CREATE INDEX referrals_provider ON referrals (kode_wilayah, provider_id);

-- Activities: planned or held, and the PSKS entry that ran or joined it.
ALTER TABLE activities ADD COLUMN status TEXT NOT NULL DEFAULT 'terlaksana';
ALTER TABLE activities ADD COLUMN provider_id TEXT;
CREATE INDEX activities_provider ON activities (kode_wilayah, provider_id);

-- Participants: the NIK (checked), and the short profile of someone not registered.
ALTER TABLE activity_participants ADD COLUMN nik TEXT;
ALTER TABLE activity_participants ADD COLUMN sex TEXT;
ALTER TABLE activity_participants ADD COLUMN birth_year BIGINT;
ALTER TABLE activity_participants ADD COLUMN rt_rw TEXT;
CREATE INDEX activity_participants_person ON activity_participants (kode_wilayah, person_id);

-- A complaint may name the registered family it is about (the family page lists it).
ALTER TABLE complaints ADD COLUMN family_id TEXT;
CREATE INDEX complaints_family ON complaints (kode_wilayah, family_id);
CREATE INDEX cases_family ON cases (kode_wilayah, family_id);
CREATE INDEX cases_person ON cases (kode_wilayah, person_id);
