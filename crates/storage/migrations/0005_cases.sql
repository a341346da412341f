-- SLRT cases (issue 5): a need or request brought to the centre, with the person (registered,
-- or a short profile of someone not yet registered), the consent and its purpose
-- (UU 27/2022), and its place in the case life (crates/domain/src/cases.rs). `case_events` is
-- the append-only history of every step: who, in which role, when, from which state, why.
CREATE TABLE cases (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    nomor TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    channel TEXT NOT NULL,
    sector TEXT NOT NULL,
    summary TEXT NOT NULL,
    family_id TEXT,
    person_id TEXT,
    contact_name TEXT,
    contact_nik TEXT,
    contact_address TEXT,
    contact_phone TEXT,
    consent_purpose TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE UNIQUE INDEX cases_nomor ON cases (kode_wilayah, nomor);
CREATE INDEX cases_state ON cases (kode_wilayah, state);

CREATE TABLE case_events (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    step TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX case_events_case ON case_events (case_id, id);
