-- user-import: how far a running import has come, for the index a page polls (a Progress as
-- JSON text: phase, done, total), written a few times a second at most per import.
ALTER TABLE ui_imports ADD COLUMN progress TEXT;
