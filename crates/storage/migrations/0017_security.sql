-- Issue 21. Tamper evidence: every audit row is chained to the one before it by a hash
-- (`chain` = SHA-256 over the previous row's hash and this row's fields, see audit.rs), in the
-- order of `seq`. The chain's head (last seq and hash) is one row that every writer updates in
-- its own transaction, so writers take turns on it on both engines; the anchor is where the
-- stored chain starts after older rows were archived (`puskesos audit archive`).
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN chain TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
CREATE TABLE audit_chain (
    id BIGINT NOT NULL PRIMARY KEY,
    head_seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, head_seq, head_hash, anchor_seq, anchor_hash) VALUES
    (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
     0, '0000000000000000000000000000000000000000000000000000000000000000');

-- A temporary password set by the Ketua or the administrator must be changed at the next login.
ALTER TABLE accounts ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;

-- Failed logins per username (known or not, so both answer alike): the next attempt waits
-- until `not_before`; the wait doubles with each failure up to a cap. Replaces the 15-minute
-- lock of accounts.failed_logins/locked_until (left unused). Rows a day old are pruned.
CREATE TABLE login_delays (
    username TEXT NOT NULL PRIMARY KEY,
    failures BIGINT NOT NULL,
    delay_ms BIGINT NOT NULL,
    not_before BIGINT NOT NULL
);
CREATE INDEX login_delays_not_before ON login_delays (not_before);
