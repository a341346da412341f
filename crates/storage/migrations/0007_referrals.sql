-- Referrals (issue 5): the service providers a centre keeps in its directory (puskesmas,
-- schools, Dinas Sosial, Dukcapil, BPJS, social organisations, TKSK, PSM, Karang Taruna,
-- companies' CSR: the PSKS of the village), and each referral of a case to one of them with a
-- due date. The provider answers through a link carrying a random token; only the token's
-- SHA-256 hash and its expiry are stored.
CREATE TABLE providers (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    contact TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);

CREATE TABLE referrals (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    sent_by TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    answered_at BIGINT,
    answer_note TEXT,
    token_hash TEXT NOT NULL,
    token_expires_at BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX referrals_case ON referrals (kode_wilayah, case_id);
CREATE UNIQUE INDEX referrals_token ON referrals (token_hash);
