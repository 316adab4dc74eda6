-- No query reads the access log by user id (auditors search by user name and period); the index
-- only cost a B-tree insert for every entry written.
DROP INDEX audit_log_user;
