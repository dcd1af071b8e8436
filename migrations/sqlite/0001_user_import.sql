-- user-import: the schema of the SQLite store. Every table is scoped by `platform` (the
-- tenant), so one database serves many platforms. Times are microseconds since the Unix epoch.
-- The commit runs under BEGIN IMMEDIATE (the database's write lock), so two imports cannot both
-- take the last seats.

CREATE TABLE ui_users (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    -- The email match key (lower case): unique per platform.
    email_key TEXT NOT NULL,
    -- Other columns by schema key, as a JSON array of [key, value] pairs.
    attributes TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    -- The import that created the user, if one did.
    import_id TEXT
);
CREATE UNIQUE INDEX ui_users_email_key ON ui_users (platform, email_key);
CREATE INDEX ui_users_active ON ui_users (platform) WHERE active;

CREATE TABLE ui_groups (
    platform TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (platform, id)
);
CREATE INDEX ui_groups_name ON ui_groups (platform, name);

CREATE TABLE ui_memberships (
    platform TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES ui_users (id),
    group_id TEXT NOT NULL,
    PRIMARY KEY (platform, user_id, group_id),
    FOREIGN KEY (platform, group_id) REFERENCES ui_groups (platform, id)
) WITHOUT ROWID;

-- The batch-imports index; `seq` (the rowid) is the begin order.
CREATE TABLE ui_imports (
    seq INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    -- Group ids as a JSON array.
    groups TEXT NOT NULL,
    message TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- The ImportSummary as JSON text.
    summary TEXT
);
CREATE UNIQUE INDEX ui_imports_id ON ui_imports (platform, id);

-- Imports whose commit was applied: a second commit of one id is a conflict.
CREATE TABLE ui_committed (
    platform TEXT NOT NULL,
    import_id TEXT NOT NULL,
    PRIMARY KEY (platform, import_id)
) WITHOUT ROWID;

-- The invitation outbox, written by the commit.
CREATE TABLE ui_invitations (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    import_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES ui_users (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    language TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_at INTEGER
);
CREATE INDEX ui_invitations_import ON ui_invitations (platform, import_id, id);

CREATE TABLE ui_enrollments (
    platform TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES ui_users (id),
    course_id TEXT NOT NULL,
    PRIMARY KEY (platform, user_id, course_id)
) WITHOUT ROWID;
