-- user-import: the database as a second line of defence, the seat limit read under the lock,
-- and the spreadsheet row of each created user.
--
-- 1. Memberships, invitations and enrollments point at (platform, user): a row tying one
--    platform's membership, invitation or enrollment to another platform's user cannot exist,
--    whatever the code above the database does. SQLite cannot change a foreign key in place, so
--    each of the three tables is rebuilt (its rows copied, checked against the new key).
-- 2. `ui_platforms` holds each platform's seat limit, which the commit reads under the write
--    lock (BEGIN IMMEDIATE), so a limit lowered while an import waits for the lock holds.
-- 3. `ui_users.import_row` is the row of the file that created the user, so the users an
--    import created are read from this table a page at a time, not kept in its record.

ALTER TABLE ui_users ADD COLUMN import_row INTEGER;
CREATE UNIQUE INDEX ui_users_platform_id ON ui_users (platform, id);
CREATE INDEX ui_users_import ON ui_users (platform, import_id, import_row)
    WHERE import_id IS NOT NULL;

CREATE TABLE ui_platforms (
    platform TEXT PRIMARY KEY,
    -- Active users may reach it, not pass it; NULL for no limit.
    seat_limit INTEGER
) WITHOUT ROWID;

CREATE TABLE ui_memberships_keyed (
    platform TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    PRIMARY KEY (platform, user_id, group_id),
    FOREIGN KEY (platform, user_id) REFERENCES ui_users (platform, id),
    FOREIGN KEY (platform, group_id) REFERENCES ui_groups (platform, id)
) WITHOUT ROWID;
INSERT INTO ui_memberships_keyed (platform, user_id, group_id)
    SELECT platform, user_id, group_id FROM ui_memberships;
DROP TABLE ui_memberships;
ALTER TABLE ui_memberships_keyed RENAME TO ui_memberships;

CREATE TABLE ui_invitations_keyed (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    import_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    language TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_at INTEGER,
    FOREIGN KEY (platform, user_id) REFERENCES ui_users (platform, id)
);
INSERT INTO ui_invitations_keyed (id, platform, import_id, user_id, name, email, language,
        message, status, attempts, last_error, claimed_at)
    SELECT id, platform, import_id, user_id, name, email, language, message, status, attempts,
        last_error, claimed_at
    FROM ui_invitations;
DROP TABLE ui_invitations;
ALTER TABLE ui_invitations_keyed RENAME TO ui_invitations;
CREATE INDEX ui_invitations_import ON ui_invitations (platform, import_id, id);

CREATE TABLE ui_enrollments_keyed (
    platform TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    course_id TEXT NOT NULL,
    PRIMARY KEY (platform, user_id, course_id),
    FOREIGN KEY (platform, user_id) REFERENCES ui_users (platform, id)
) WITHOUT ROWID;
INSERT INTO ui_enrollments_keyed (platform, user_id, course_id)
    SELECT platform, user_id, course_id FROM ui_enrollments;
DROP TABLE ui_enrollments;
ALTER TABLE ui_enrollments_keyed RENAME TO ui_enrollments;
