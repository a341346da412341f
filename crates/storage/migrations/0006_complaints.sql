-- Complaints, questions and suggestions (issue 5): a ticket with a deadline, its handling
-- history, and the public status lookups (each attempt kept: the record of guessing, and the
-- basis of the lockout). The short code of the receipt is stored as a SHA-256 hash.
CREATE TABLE complaints (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    ticket TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    category TEXT NOT NULL,
    program TEXT,
    summary TEXT NOT NULL,
    contact_name TEXT,
    contact_phone TEXT,
    opened_at BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    deadline_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    escalated_at BIGINT,
    resolved_at BIGINT,
    decision TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE UNIQUE INDEX complaints_ticket ON complaints (ticket);
CREATE INDEX complaints_status ON complaints (kode_wilayah, status, deadline_at);

CREATE TABLE complaint_events (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);

CREATE TABLE status_lookups (
    id TEXT NOT NULL PRIMARY KEY,
    ticket TEXT NOT NULL,
    at BIGINT NOT NULL,
    ok BIGINT NOT NULL
);
CREATE INDEX status_lookups_ticket ON status_lookups (ticket, at);
CREATE INDEX status_lookups_at ON status_lookups (at);
