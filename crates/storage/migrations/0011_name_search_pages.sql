-- Name search that reads one page, not every match: each row carries the family and all the
-- person's words, and the key is in result order (word, village, family), so a search walks the
-- key from the first matching word and stops after a page (and the capped count) without
-- looking anything else up. SQLite keeps the table as its key alone (WITHOUT ROWID), which also
-- halves the writes per word on import. Refilled from the members by migrate.rs.
DROP TABLE person_names;
CREATE TABLE person_names (
    token TEXT NOT NULL,
    kode_wilayah TEXT NOT NULL,
    family_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    words TEXT NOT NULL,
    PRIMARY KEY (token, kode_wilayah, family_id, person_id)
) /*sqlite: WITHOUT ROWID*/;
