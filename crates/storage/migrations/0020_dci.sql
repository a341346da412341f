-- The DCI social-registry API (issue 17): the partners a district lets query its registry,
-- the message ids they sent (each answered once), transactions for status queries, event
-- subscriptions, and the outbox of callbacks and notifications (delivered at least once, in
-- order per lane, across restarts). Other identifiers of a person (a partner's UIN, a BPJS
-- number) beside the NIK.
CREATE TABLE dci_partners (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    villages TEXT NOT NULL,
    fields TEXT NOT NULL,
    callback_url TEXT,
    public_key TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE dci_messages (
    partner_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (partner_id, message_id)
);

CREATE TABLE dci_transactions (
    correlation_id TEXT NOT NULL PRIMARY KEY,
    partner_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX dci_transactions_txn ON dci_transactions (partner_id, transaction_id);

CREATE TABLE dci_subscriptions (
    code TEXT NOT NULL PRIMARY KEY,
    partner_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    kode_wilayah TEXT,
    family_id TEXT,
    record_type TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX dci_subscriptions_village ON dci_subscriptions (kode_wilayah, ended_at);
CREATE INDEX dci_subscriptions_family ON dci_subscriptions (family_id, ended_at);

CREATE TABLE dci_outbox (
    id TEXT NOT NULL PRIMARY KEY,
    partner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    lane TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX dci_outbox_pending ON dci_outbox (delivered_at, next_at);
CREATE INDEX dci_outbox_lane ON dci_outbox (partner_id, lane, id);

CREATE TABLE dci_server_key (
    id TEXT NOT NULL PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE person_identifiers (
    id_type TEXT NOT NULL,
    id_value TEXT NOT NULL,
    person_id TEXT NOT NULL,
    kode_wilayah TEXT NOT NULL,
    PRIMARY KEY (id_type, id_value)
);
CREATE INDEX person_identifiers_person ON person_identifiers (person_id);
