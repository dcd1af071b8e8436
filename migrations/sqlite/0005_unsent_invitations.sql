-- user-import: the invitations not sent yet, in an index of their own. A claim takes the next
-- batch of an import's unsent invitations in id order; through the index of all invitations it
-- walked past every invitation already sent, so sending n invitations took time in n² (37 s for
-- 100,000 on SQLite). Sent invitations leave this index as they are recorded.
CREATE INDEX ui_invitations_unsent ON ui_invitations (platform, import_id, id)
    WHERE status <> 'sent';
