-- Work that must be finished after an interruption, e.g. the name index of a bulk import that
-- was killed before it built the index. Db::open finishes what is listed here.
CREATE TABLE maintenance (
    task TEXT NOT NULL PRIMARY KEY,
    since BIGINT NOT NULL
);
