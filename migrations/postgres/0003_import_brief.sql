-- user-import: the summary as the batch-imports index lists it (an ImportSummary without its
-- lists of issues and users, as JSON text), so that listing imports reads a few hundred bytes
-- per import however many rows each had; the whole summary stays in `summary`.
ALTER TABLE ui_imports ADD COLUMN brief TEXT;
