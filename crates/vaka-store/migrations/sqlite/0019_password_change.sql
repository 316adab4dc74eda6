-- A password someone else chose (an administrator's first or new password) is changed by its
-- owner before anything else: until then the pages lead only to "Mitt konto".
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
