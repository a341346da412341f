-- Activities and services delivered (issue 5): socialisation and campaigns, social guidance,
-- advocacy and mediation, and service deliveries, with date, place, outcome, and the
-- participants (linked to registered people when known, by name otherwise).
CREATE TABLE activities (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    outcome TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX activities_held ON activities (kode_wilayah, held_on);

CREATE TABLE activity_participants (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    person_id TEXT,
    name TEXT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX activity_participants_activity ON activity_participants (kode_wilayah, activity_id);
