-- user-import: the database as a second line of defence, the seat limit read under the lock,
-- and the spreadsheet row of each created user.
--
-- 1. Memberships, invitations and enrollments point at (platform, user): a row tying one
--    platform's membership, invitation or enrollment to another platform's user cannot exist,
--    whatever the code above the database does.
-- 2. `ui_platforms.seat_limit` is each platform's seat limit, which the commit reads after
--    locking the platform's row, so a limit lowered while an import waits for the lock holds.
-- 3. `ui_users.import_row` is the row of the file that created the user, so the users an
--    import created are read from this table a page at a time, not kept in its record.

ALTER TABLE ui_users ADD COLUMN import_row INTEGER;
ALTER TABLE ui_users ADD CONSTRAINT ui_users_platform_id UNIQUE (platform, id);
CREATE INDEX ui_users_import ON ui_users (platform, import_id, import_row)
    WHERE import_id IS NOT NULL;

-- Active users may reach it, not pass it; NULL for no limit.
ALTER TABLE ui_platforms ADD COLUMN seat_limit BIGINT;

ALTER TABLE ui_memberships
    DROP CONSTRAINT ui_memberships_user_id_fkey,
    ADD CONSTRAINT ui_memberships_user FOREIGN KEY (platform, user_id)
        REFERENCES ui_users (platform, id);
ALTER TABLE ui_invitations
    DROP CONSTRAINT ui_invitations_user_id_fkey,
    ADD CONSTRAINT ui_invitations_user FOREIGN KEY (platform, user_id)
        REFERENCES ui_users (platform, id);
ALTER TABLE ui_enrollments
    DROP CONSTRAINT ui_enrollments_user_id_fkey,
    ADD CONSTRAINT ui_enrollments_user FOREIGN KEY (platform, user_id)
        REFERENCES ui_users (platform, id);
