-- Attachments of a case (a photo of a document, a letter as PDF): the file lives in the data
-- folder under its id; the row says what it is, who added it and when.
CREATE TABLE case_attachments (
    kode_wilayah TEXT NOT NULL,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (kode_wilayah, id)
);
CREATE INDEX case_attachments_case ON case_attachments (kode_wilayah, case_id);
