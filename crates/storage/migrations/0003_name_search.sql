-- Search by name without scanning every person: each word of a member's name (lower case), with
-- the family it leads to. Kept by the registry functions on every insert and rename; filled for
-- existing members by the migration itself (see migrate.rs).
CREATE TABLE person_names (
    token TEXT NOT NULL,
    kode_wilayah TEXT NOT NULL,
    person_id TEXT NOT NULL,
    family_id TEXT NOT NULL,
    PRIMARY KEY (token, kode_wilayah, person_id)
);
